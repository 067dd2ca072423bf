import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// Internal to the workers: the hasher cuts every item's output into 64 KiB blocks, so its two entry points
// (running `push` for output in any pieces, one-call `pushBlock` for output that comes block by block) are
// tested against a naive cut of the whole output.
import { BlockHasher } from '../../packages/opc/dist/blocks/block-hasher.js';

const BLOCK = 65_536;

/** What a hasher must produce for `data`: SHA-256 of every 64 KiB, concatenated, and the CRC-32 of all. */
function expected(data: Uint8Array) {
  const hashes: Buffer[] = [];
  for (let at = 0; at < data.length; at += BLOCK)
    hashes.push(
      createHash('sha256')
        .update(data.subarray(at, at + BLOCK))
        .digest(),
    );
  return { hashes: Buffer.concat(hashes), blockCount: hashes.length, crc: zlib.crc32(data) >>> 0 };
}

function result(hasher: BlockHasher) {
  hasher.finish();
  const { hashes, blockCount } = hasher.takeCompleted();
  return { hashes: Buffer.from(hashes), blockCount, crc: hasher.crc >>> 0 };
}

describe('BlockHasher', () => {
  it('gives the same digests whether output comes block by block or in pieces of any size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 * BLOCK + 17 }),
        fc.array(fc.integer({ min: 1, max: 3 * BLOCK }), { minLength: 1, maxLength: 8 }),
        (size, cuts) => {
          const data = randomBytes(size);
          const byBlock = new BlockHasher('sha256', size);
          for (let at = 0; at < size; at += BLOCK) byBlock.pushBlock(data.subarray(at, at + BLOCK));
          const inPieces = new BlockHasher('sha256', size);
          for (let at = 0, i = 0; at < size; i++) {
            const length = cuts[i % cuts.length] as number;
            inPieces.push(data.subarray(at, at + length));
            at += length;
          }
          const want = expected(data);
          expect(result(byBlock)).toEqual(want);
          expect(result(inPieces)).toEqual(want);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes a block after a partial piece through the running hash, keeping the boundaries', () => {
    const data = randomBytes(2 * BLOCK + 5);
    const hasher = new BlockHasher('sha256', data.length);
    hasher.push(data.subarray(0, 100));
    hasher.pushBlock(data.subarray(100, 100 + BLOCK));
    hasher.pushBlock(data.subarray(100 + BLOCK));
    expect(result(hasher)).toEqual(expected(data));
  });

  it('refuses output after a short block, which would be hashed at the wrong boundaries', () => {
    const hasher = new BlockHasher('sha256', 3 * BLOCK);
    hasher.pushBlock(randomBytes(1000));
    expect(() => hasher.pushBlock(randomBytes(BLOCK))).toThrow(/after a short block/);
    expect(() => hasher.push(randomBytes(1))).toThrow(/after a short block/);
  });

  it('stops at the first byte past the declared size, on either entry point', () => {
    const byBlock = new BlockHasher('sha256', BLOCK + 10);
    byBlock.pushBlock(randomBytes(BLOCK));
    expect(() => byBlock.pushBlock(randomBytes(11))).toThrow(RangeError);
    const inPieces = new BlockHasher('sha256', 10);
    expect(() => inPieces.push(randomBytes(11))).toThrow(RangeError);
  });

  it('hashes with the algorithm asked for', () => {
    const data = randomBytes(BLOCK + 3);
    const hasher = new BlockHasher('sha512', data.length);
    hasher.pushBlock(data.subarray(0, BLOCK));
    hasher.pushBlock(data.subarray(BLOCK));
    const { hashes, blockCount } = result(hasher);
    expect(blockCount).toBe(2);
    expect(hashes.subarray(64, 128)).toEqual(createHash('sha512').update(data.subarray(BLOCK)).digest());
  });
});
