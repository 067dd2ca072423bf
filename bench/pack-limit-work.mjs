// The per-file work the pack limit times (see pack-limit.mjs), shared by its threads and its breakdown.
import zlib from 'node:zlib';
import { crc32, sha256 } from './hashing.mjs';
import { BLOCK } from './units.mjs';

/** Level 6, ended by a full flush: byte-aligned output and no dictionary carried over (FORMAT.md §3). */
const FULL_FLUSH_L6 = { level: 6, finishFlush: zlib.constants.Z_FULL_FLUSH };

/** One 64 KiB block deflated alone, as the BlockMap needs it. */
export const deflateBlock = (block) => zlib.deflateRawSync(block, FULL_FLUSH_L6);

/** The file at `file.offset` in shared memory as a Buffer (no copy). */
export const fileView = (shared, file) => Buffer.from(shared, file.offset, file.size);

/** Deflate L6 + SHA-256 per 64 KiB block, CRC-32 of the file; returns the uncompressed byte count. */
export function packFile(shared, file) {
  const data = fileView(shared, file);
  for (let at = 0; at < data.length; at += BLOCK) {
    const block = data.subarray(at, at + BLOCK);
    deflateBlock(block);
    sha256(block);
  }
  crc32(data);
  return data.length;
}
