import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppvError, OpcPackage } from '@appv/opc';
import { verifyPackage } from 'appv';
import { afterAll, describe, expect, it } from 'vitest';
import {
  baselinePackage,
  boundaryTwins,
  hostileCases,
  truncatedCode,
  truncations,
} from '../helpers/hostile.js';

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

describe('one step short of a hostile case', () => {
  it.each(boundaryTwins())('$name verifies clean ($description)', async ({ name, bytes }) => {
    const report = await verifyPackage(onDisk(`twin-${name}`, bytes), { threads: 2 });
    expect(report.findings).toEqual([]);
    expect(report.valid).toBe(true);
  });
});

describe.each(hostileCases())(
  'hostile case $name',
  ({ name, bytes, expectCode, where, alsoReported, description }) => {
    const pinned = [...new Set([expectCode, ...(alsoReported ?? [])])].sort();
    const also = alsoReported?.length ? `, also ${alsoReported.join(', ')}` : '';
    it(`is rejected with ${expectCode}${also} (${description})`, async () => {
      const report = await verifyPackage(onDisk(name, bytes), { threads: 2 });
      const codes = report.findings.map((f) => f.code);
      expect(report.valid, `findings: ${codes.join(', ')}`).toBe(false);
      // Exactly these codes: one more or one fewer is a change in what the product reports.
      expect([...new Set(codes)].sort()).toEqual(pinned);
      if (where) {
        const located = report.findings.filter((f) => f.code === expectCode).map((f) => [f.part, f.block]);
        expect(located).toContainEqual([where.part, where.block]);
      }
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

  it.each(cuts)(
    'cut at $label ($offset bytes) is reported as a package cut short (or, empty, as no ZIP), never thrown',
    async ({ label, offset, bytes }) => {
      const report = await verifyPackage(onDisk(`cut-${label}`, bytes));
      expect(report.valid).toBe(false);
      // Every cut loses the end of central directory record, and the reader stops there (hostile.ts).
      expect(report.findings.map((f) => [f.code, f.severity])).toEqual([[truncatedCode(offset), 'error']]);
    },
  );
});
