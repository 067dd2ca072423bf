import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../packages/opc/src/errors.js';
import { pythonVerifyBlockMap, pythonZipTest, unzipTest } from './external.js';
import { baselinePackage, hostileCases, truncations } from './hostile.js';

describe('hostile corpus', () => {
  const baseline = baselinePackage();
  const all = hostileCases();

  it('derives from a valid baseline', () => {
    expect(unzipTest(baseline.bytes).ok).toBe(true);
    expect(pythonZipTest(baseline.bytes).ok).toBe(true);
    const r = pythonVerifyBlockMap(baseline.bytes);
    expect(r.ok, r.output).toBe(true);
  });

  it('holds uniquely named Buffers with known codes, each different from the baseline', () => {
    const codes = new Set<string>(Object.values(ErrorCode));
    const names = new Set<string>();
    expect(all.length).toBeGreaterThan(60);
    for (const c of all) {
      expect(Buffer.isBuffer(c.bytes), c.name).toBe(true);
      expect(names.has(c.name), c.name).toBe(false);
      names.add(c.name);
      expect(codes.has(c.expectCode), `${c.name}: ${c.expectCode}`).toBe(true);
      for (const also of c.alsoReported ?? []) {
        expect(codes.has(also), `${c.name}: ${also}`).toBe(true);
        expect(also, `${c.name}: expectCode is not repeated in alsoReported`).not.toBe(c.expectCode);
      }
      expect(c.bytes.equals(baseline.bytes), c.name).toBe(false);
    }
  });

  it('is deterministic', () => {
    const again = hostileCases();
    expect(again.map((c) => c.name)).toEqual(all.map((c) => c.name));
    again.forEach((c, i) => {
      expect(c.bytes.equals(all[i]?.bytes ?? Buffer.alloc(0)), c.name).toBe(true);
    });
  });

  it('truncates at every structure boundary, strictly inside the file', () => {
    const t = truncations(baseline);
    const offsets = t.map((x) => x.offset);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(Math.max(...offsets)).toBe(baseline.bytes.length - 1);
    expect(offsets).toContain(0);
    expect(offsets).toContain(baseline.layout.cdOffset);
    expect(offsets).toContain(baseline.layout.eocdOffset);
    for (const x of t) expect(x.bytes.length).toBe(x.offset);
  });

  const byName = (name: string) => {
    const c = all.find((x) => x.name === name);
    if (!c) throw new Error(`no case ${name}`);
    return c;
  };

  it('builds the bomb as described: a 64 KiB block that inflates to 10 MB', async () => {
    const zlib = await import('node:zlib');
    const bomb = byName('block-inflates-past-64k').bytes;
    expect(bomb.length).toBeLessThan(baseline.bytes.length + 64 * 1024);
    const marker = Buffer.from('Root/VFS/ProgramFilesX86/Vendor%20App/bomb.bin');
    const lfh = bomb.indexOf(marker) - 30;
    expect(bomb.readUInt32LE(lfh)).toBe(0x04034b50);
    const start = lfh + 30 + marker.length;
    const inflated = zlib.inflateRawSync(bomb.subarray(start, start + 20_000), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      maxOutputLength: 11 * 1024 * 1024,
    });
    expect(inflated.length).toBe(10 * 1024 * 1024);
  });

  it('is recognised as defective by the independent BlockMap checker where it applies', () => {
    for (const name of [
      'crc-mismatch',
      'block-hash-mismatch',
      'blockmap-lfhsize-wrong',
      'blockmap-size-mismatch',
      'blockmap-block-count',
      'blockmap-block-size-sum',
      'blockmap-file-unlisted',
      'deflate-oneshot-multiblock',
      'block-inflates-past-64k',
    ]) {
      expect(pythonVerifyBlockMap(byName(name).bytes).ok, name).toBe(false);
    }
    // Overlap is invisible to a BlockMap checker: every other check passes.
    expect(pythonVerifyBlockMap(byName('entries-overlap').bytes).ok).toBe(true);
  });
});
