import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pythonVerifyBlockMap, pythonZipTest, unzipTest } from './external.js';
import { buildSamplePackage, SAMPLE_PATH } from './make-sample.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLE = path.join(REPO, SAMPLE_PATH);

describe('examples/sample/VendorApp.appv', () => {
  const built = buildSamplePackage();

  if (process.env.APPV_WRITE_SAMPLE === '1') {
    mkdirSync(path.dirname(SAMPLE), { recursive: true });
    writeFileSync(SAMPLE, built);
  }

  it('is deterministic', () => {
    expect(buildSamplePackage().equals(built)).toBe(true);
  });

  it('equals buildSamplePackage() byte for byte (regenerate: APPV_WRITE_SAMPLE=1)', () => {
    expect(existsSync(SAMPLE)).toBe(true);
    const committed = readFileSync(SAMPLE);
    expect(committed.length).toBe(built.length);
    expect(committed.equals(built)).toBe(true);
  });

  it('passes unzip -t', () => {
    const r = unzipTest(SAMPLE);
    expect(r.ok, r.output).toBe(true);
  });

  it('passes Python zipfile and the independent BlockMap checker', () => {
    expect(pythonZipTest(SAMPLE).ok).toBe(true);
    const r = pythonVerifyBlockMap(SAMPLE);
    expect(r.ok, r.output).toBe(true);
  });
});
