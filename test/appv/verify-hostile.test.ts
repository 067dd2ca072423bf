import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppvError, OpcPackage } from '@appv/opc';
import { verifyPackage } from 'appv';
import { afterAll, describe, expect, it } from 'vitest';
import { baselinePackage, hostileCases, truncations } from '../helpers/hostile.js';

// Hostile input is written to real files: the verifier reads it the way a user's package is read.
const dir = mkdtempSync(join(tmpdir(), 'appv-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function onDisk(name: string, bytes: Buffer): string {
  const path = join(dir, `${name.replace(/[^\w.-]/g, '_')}.appv`);
  writeFileSync(path, bytes);
  return path;
}

describe('the hostile baseline', () => {
  it('verifies clean, so every finding below is caused by its defect', async () => {
    const report = await verifyPackage(onDisk('baseline', baselinePackage().bytes));
    expect(report.findings).toEqual([]);
    expect(report.valid).toBe(true);
  });
});

describe.each(hostileCases())(
  'hostile case $name',
  ({ name, bytes, expectCode, alsoAcceptable, description }) => {
    it(`is rejected with ${[expectCode, ...(alsoAcceptable ?? [])].join(' or ')} (${description})`, async () => {
      const report = await verifyPackage(onDisk(name, bytes), { threads: 2 });
      const codes = report.findings.map((f) => f.code);
      expect(report.valid, `findings: ${codes.join(', ')}`).toBe(false);
      const accepted = [expectCode, ...(alsoAcceptable ?? [])];
      expect(
        codes.some((code) => accepted.includes(code)),
        `wanted ${accepted.join('|')}, got ${codes.join(', ')}`,
      ).toBe(true);
      for (const finding of report.findings) {
        expect(finding.message.length).toBeGreaterThan(10);
        // The reason is not repeated (found by review: "does not inflate: does not inflate: …").
        expect(finding.message).not.toMatch(/(does not inflate: ){2}/);
        expect(finding.severity).toMatch(/^(error|warning)$/);
      }
    });

    it('never escapes as anything but an AppvError when opened directly', async () => {
      try {
        const pkg = await OpcPackage.open(bytes);
        for (const item of pkg.items) {
          if (!item.readable) continue;
          await pkg.readPart(item, { maxSize: 64 * 1024 * 1024 }).catch((error: unknown) => {
            expect(error).toBeInstanceOf(AppvError);
          });
        }
      } catch (error) {
        expect(error).toBeInstanceOf(AppvError);
      }
    });
  },
);

describe('a package truncated at every structure boundary', () => {
  const cuts = truncations(baselinePackage());

  it.each(cuts)('cut at $label ($offset bytes) is reported, never thrown', async ({ label, bytes }) => {
    const report = await verifyPackage(onDisk(`cut-${label}`, bytes));
    expect(report.valid).toBe(false);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings[0]?.code).toMatch(/^(ZIP|OPC|CONTENT_TYPES|BLOCKMAP|HASH|CRC|APPV|XML)_/);
  });
});
