import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  BLOCK_SIZE,
  BufferSource,
  digestItems,
  ErrorCode,
  JOB_BYTES,
  MAX_COMPRESSED_BLOCK,
  OpcPackage,
  PackageWriter,
  WorkerPool,
} from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { asyncCodeOf } from '../helpers/error-code.js';

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

describe('digestItems on a pool the caller gives', () => {
  it('runs on that pool and leaves it running for the caller, who destroys it', async () => {
    const text = Buffer.from('shared pool '.repeat(20_000));
    const { parts, pkg } = await written([['Root/text.txt', text]]);
    const part = parts[0] as (typeof parts)[number];
    const requests = [{ item: pkg.requireItem(part.name), blockSizes: part.blocks.map((b) => b.size ?? 0) }];
    const pool = new WorkerPool(1);
    try {
      for (let round = 0; round < 2; round++) {
        const [digest] = await digestItems(pkg.source, requests, { pool, threads: 4 });
        expect(digest?.error).toBeNull();
        expect(digest?.length).toBe(text.length);
        // The pool's one thread did it (`threads` is ignored when a pool is given), and is still there.
        expect(pool.started).toBe(1);
      }
    } finally {
      await pool.destroy();
    }
    await expect(digestItems(pkg.source, requests, { pool })).rejects.toMatchObject({
      code: ErrorCode.WORKER_FAILED,
    });
  });
});

describe('an algorithm that is no HashAlgorithm (found by review)', () => {
  it('is USAGE from the writer and digestItems before any job, and a shared pool keeps working', async () => {
    const { parts, pkg } = await written([['Root/a.txt', Buffer.from('algorithm '.repeat(9_000))]]);
    const requests = parts.map((part) => ({ item: pkg.requireItem(part.name) }));
    const pool = new WorkerPool(2);
    const dir = mkdtempSync(path.join(tmpdir(), 'appv-algorithm-'));
    try {
      for (const algorithm of ['md5', 'SHA256', 5]) {
        const options = { algorithm, pool } as unknown as { pool: WorkerPool };
        await expect(PackageWriter.toFile(path.join(dir, 'a.zip'), options)).rejects.toMatchObject({
          code: ErrorCode.USAGE,
        });
        await expect(digestItems(pkg.source, requests, options)).rejects.toMatchObject({
          code: ErrorCode.USAGE,
        });
      }
      expect(readdirSync(dir)).toEqual([]);
      const [digest] = await digestItems(pkg.source, requests, { pool });
      expect(digest?.error).toBeNull();
      expect(digest?.blockHash(0)?.length).toBe(32);
    } finally {
      await pool.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

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
      expect(digest.blockCount).toBe(count);
      expect(digest.blockHashes).toHaveLength(count);
      // The per-block views read the same bytes as the list made from them.
      for (let b = 0; b < count; b++)
        expect(digest.blockHash(b)?.equals(digest.blockHashes[b] as Buffer)).toBe(true);
      expect(digest.blockHash(count)).toBeNull();
      expect(digest.blockHash(-1)).toBeNull();
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
    expect(digest?.hasBlock(0)).toBe(false);
    expect(digest?.blockHash(0)).toBeNull();
    expect(digest?.hasBlock(17)).toBe(true);
    expect(digest?.blockErrors[0]).toMatch(/beyond any 64 KiB block/);
    expect(digest?.crc32).toBeNull();
    for (let b = 17; b < 24; b++) {
      expect(
        digest?.blockHashes[b]?.equals(sha256(noise.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE))),
      ).toBe(true);
    }
    await pkg.close();
  });

  it('a large item without BlockMap sizes is inflated as one stream in pieces, its digests joined in order', async () => {
    // Incompressible, so its compressed bytes span several job-sized pieces on one worker.
    const noise = randomBytes(3 * JOB_BYTES + 12_345);
    const { pkg } = await written([['Root/big.bin', noise]]);
    const item = pkg.requireItem('Root\\big.bin');
    expect(item.compressedSize).toBeGreaterThan(2 * JOB_BYTES);
    const [digest] = await digestItems(pkg.source, [{ item }], { threads: 2 });
    const count = Math.ceil(noise.length / BLOCK_SIZE);
    expect(digest?.mode).toBe('stream');
    expect(digest?.blockCount).toBe(count);
    expect(digest?.hashes.length).toBeGreaterThanOrEqual(count * 32);
    for (let b = 0; b < count; b++) {
      const expected = sha256(noise.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE));
      expect(digest?.blockHash(b)?.equals(expected)).toBe(true);
      expect(digest?.blockHashes[b]?.equals(expected)).toBe(true);
    }
    expect(digest?.length).toBe(noise.length);
    expect(digest?.crc32).toBe(item.crc32);
    await pkg.close();
  });
});

describe('digestItems with a signal aborted before the call (found by review)', () => {
  it('rejects with ABORTED at once, even with nothing to digest', async () => {
    expect(
      await asyncCodeOf(digestItems(new BufferSource(Buffer.alloc(0)), [], { signal: AbortSignal.abort() })),
    ).toBe(ErrorCode.ABORTED);
  });
});
