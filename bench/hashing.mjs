// Block hashing as the BlockMap needs it: SHA-256 per 64 KiB of uncompressed data, CRC-32 of the whole.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { BLOCK } from './units.mjs';

/** One-shot SHA-256; `crypto.hash` (Node >= 20.12) skips the Hash object. */
export const sha256 =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

export const crc32 = zlib.crc32;

/**
 * A sink for one entry's output arriving in chunks of any size: re-cuts it into 64 KiB blocks (copying
 * only what straddles a boundary) and calls `done({ blockHashes, crc32, size })` at `end()`.
 */
export function blockHasher(done) {
  const pending = Buffer.allocUnsafe(BLOCK);
  const blockHashes = [];
  let fill = 0;
  let crc = 0;
  let size = 0;
  return {
    data(chunk) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        if (fill === 0 && chunk.length - offset >= BLOCK) {
          blockHashes.push(sha256(chunk.subarray(offset, offset + BLOCK)));
          offset += BLOCK;
          continue;
        }
        const n = Math.min(BLOCK - fill, chunk.length - offset);
        chunk.copy(pending, fill, offset, offset + n);
        fill += n;
        offset += n;
        if (fill === BLOCK) {
          blockHashes.push(sha256(pending));
          fill = 0;
        }
      }
    },
    end() {
      if (fill > 0) blockHashes.push(sha256(pending.subarray(0, fill)));
      done({ blockHashes, crc32: crc >>> 0, size });
    },
  };
}
