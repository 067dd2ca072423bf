import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  BLOCK_SIZE,
  BufferSource,
  digestItems,
  MAX_COMPRESSED_BLOCK,
  OpcPackage,
  PackageWriter,
} from '@appv/opc';
import { describe, expect, it } from 'vitest';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/** A package written by our writer (every block deflated alone, FORMAT.md §3), with its parts' records. */
async function written(contents: [string, Buffer][]) {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const writer = PackageWriter.toStream(out, { threads: 2 });
  for (const [name, content] of contents) await writer.addPart(name, content, { method: 'deflate' });
  const { parts } = await writer.finish();
  const bytes = Buffer.concat(chunks);
  return { bytes, parts, pkg: await OpcPackage.open(new BufferSource(bytes)) };
}

describe('digestItems, block by block (FORMAT.md §3, §9.7)', () => {
  it('gives each block its digest and length, in order, across tasks and workers', async () => {
    const text = Buffer.from('block by block '.repeat(60_000));
    const noise = randomBytes(5 * BLOCK_SIZE + 99);
    const { parts, pkg } = await written([
      ['Root/text.txt', text],
      ['Root/noise.bin', noise],
    ]);
    const requests = [text, noise].map((_, i) => {
      const part = parts[i] as (typeof parts)[number];
      return { item: pkg.requireItem(part.name), blockSizes: part.blocks.map((b) => b.size ?? 0) };
    });
    const digests = await digestItems(pkg.source, requests, { threads: 2 });
    [text, noise].forEach((content, i) => {
      const digest = digests[i] as (typeof digests)[number];
      const count = Math.ceil(content.length / BLOCK_SIZE);
      expect(digest.mode).toBe('blocks');
      expect(digest.blockHashes).toHaveLength(count);
      digest.blockHashes.forEach((hash, b) => {
        expect(hash?.equals(sha256(content.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE)))).toBe(true);
      });
      expect(digest.blockLengths).toEqual(
        Array.from({ length: count }, (_, b) => Math.min(BLOCK_SIZE, content.length - b * BLOCK_SIZE)),
      );
      expect(digest.length).toBe(content.length);
    });
    await pkg.close();
  });

  it('a block it refuses to read has no digest; the blocks after it keep theirs', async () => {
    // Incompressible: each block deflates to ~64 KiB, so 17 of them together pass MAX_COMPRESSED_BLOCK.
    const noise = randomBytes(24 * BLOCK_SIZE);
    const { parts, pkg } = await written([['Root/n.bin', noise]]);
    const sizes = (parts[0] as (typeof parts)[number]).blocks.map((b) => b.size ?? 0);
    // A hostile map whose Sizes still add up: block 0 claims the bytes of blocks 0–16, which claim none.
    const merged = sizes.slice(0, 17).reduce((sum, size) => sum + size, 0);
    expect(merged).toBeGreaterThan(MAX_COMPRESSED_BLOCK);
    const hostile = [merged, ...Array.from({ length: 16 }, () => 0), ...sizes.slice(17)];
    const [digest] = await digestItems(pkg.source, [
      { item: pkg.requireItem('Root\\n.bin'), blockSizes: hostile },
    ]);
    expect(digest?.blockHashes[0]).toBeNull();
    expect(digest?.blockErrors[0]).toMatch(/beyond any 64 KiB block/);
    expect(digest?.crc32).toBeNull();
    for (let b = 17; b < 24; b++) {
      expect(
        digest?.blockHashes[b]?.equals(sha256(noise.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE))),
      ).toBe(true);
    }
    await pkg.close();
  });
});
