// The per-entry work the machine limit times (see limit.mjs), shared by its workers and its breakdown.
import zlib from 'node:zlib';
import { crc32, sha256 } from './hashing.mjs';
import { BLOCK } from './units.mjs';

/** Inflates one entry from the shared compressed data into a single buffer sized to the entry (no concat). */
export function inflateEntry(shared, entry) {
  const input = Buffer.from(shared, entry.offset, entry.compressed);
  return zlib.inflateRawSync(input, { chunkSize: Math.max(BLOCK, entry.size) });
}

/** Inflate + SHA-256 per 64 KiB block + CRC-32; returns the uncompressed byte count. */
export function digestEntry(shared, entry) {
  const out = inflateEntry(shared, entry);
  for (let at = 0; at < out.length; at += BLOCK) sha256(out.subarray(at, at + BLOCK));
  crc32(out);
  return out.length;
}
