// The per-entry work the machine limit times (see limit.mjs), shared by its workers and its breakdown.
//
// Inflating is done the fastest way we know in Node: one raw inflater per thread, reset for each stream,
// writing into one reused 64 KiB chunk. That is the primitive appv's own workers use (RawInflater, loaded
// from the built @appv/opc); a fresh zlib.inflateRawSync per entry costs ~15-20% more on this set, and a
// "limit" slower than our own method would flatter every ratio against it (found by review).
import { crc32, sha256 } from './hashing.mjs';

const { RawInflater } = await import(
  new URL('../packages/opc/dist/blocks/raw-zlib.js', import.meta.url).href
);

const inflater = new RawInflater();

/** Inflates one entry from the shared compressed data into a buffer sized to the entry (for the breakdown). */
export function inflateEntry(shared, entry) {
  const input = Buffer.from(shared, entry.offset, entry.compressed);
  const out = Buffer.allocUnsafe(entry.size);
  let at = 0;
  inflater.inflate(input, entry.size, (chunk) => {
    chunk.copy(out, at);
    at += chunk.length;
  });
  return out.subarray(0, at);
}

/** Inflate + SHA-256 per 64 KiB block + CRC-32; returns the uncompressed byte count. */
export function digestEntry(shared, entry) {
  const input = Buffer.from(shared, entry.offset, entry.compressed);
  let crc = 0;
  let size = 0;
  // The inflater hands over each full 64 KiB block (and the last, shorter one) as it is made.
  inflater.inflate(input, entry.size, (block) => {
    sha256(block);
    crc = crc32(block, crc);
    size += block.length;
  });
  return size;
}
