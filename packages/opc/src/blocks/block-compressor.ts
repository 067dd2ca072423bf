import zlib from 'node:zlib';
import { BLOCK_SIZE } from '../limits.js';
import { blockDigest } from './block-digest.js';
import type { CompressJob, CompressResult, HashAlgorithm, SegmentOutcome } from './block-job.js';
import { HASH_LENGTH } from './block-job.js';
import { type Output, RawDeflater } from './raw-zlib.js';

/**
 * The writer's hot loop, run in a block worker: deflate every 64 KiB block on its own with a full flush,
 * hash it and CRC it (FORMAT.md §3). A fresh deflate stream per block is exactly what a full flush means
 * (the dictionary is reset at every block boundary), so blocks from different workers stitch together into
 * one valid raw-deflate stream, and each block's compressed length is known as it is produced. Blocks are
 * deflated straight into the job's reused output buffer: no per-block allocation.
 */

/**
 * `auto` stores a part when deflate saves less than 1/64 (~1.6%) of it: already-compressed content
 * (FORMAT.md §3 allows incompressible blocks to grow), where a reader's inflate would be work for nothing.
 */
const WORTHWHILE_SAVING_SHIFT = 6;

export function runCompress(job: CompressJob): CompressResult {
  const output = new JobOutput(job.output);
  const outcomes = job.segments.map((segment): SegmentOutcome => {
    const input = job.data.subarray(segment.offset, segment.offset + segment.length);
    const hashes = hashBlocks(input, job.algorithm);
    const crc = zlib.crc32(input);
    if (segment.mode === 'stored' || input.length === 0) {
      return stored(segment.offset, segment.length, hashes, crc);
    }
    const start = output.length;
    const sizes = deflateBlocks(input, job.level, output);
    const total = output.length - start;
    if (segment.mode === 'auto' && total >= input.length - (input.length >>> WORTHWHILE_SAVING_SHIFT)) {
      output.length = start; // drop the deflated bytes: the segment is written from its input
      return stored(segment.offset, segment.length, hashes, crc);
    }
    return {
      stored: false,
      start,
      length: total,
      inputLength: input.length,
      inputStart: segment.offset,
      sizes,
      hashes,
      crc,
    };
  });
  return { kind: 'compress', id: job.id, outcomes, output: output.buffer, input: job.data };
}

/** The job's reusable output buffer, replaced by a larger copy if the deflated bytes outgrow it. */
class JobOutput implements Output {
  length = 0;

  constructor(public buffer: Uint8Array) {}

  ensure(length: number): Uint8Array {
    if (length > this.buffer.length) {
      const larger = new Uint8Array(Math.max(length, this.buffer.length * 2));
      larger.set(this.buffer.subarray(0, this.length));
      this.buffer = larger;
    }
    return this.buffer;
  }
}

/** Every block a fresh deflate stream (RawDeflater; raw-zlib.ts says why it is not a reset one). */
function deflateBlocks(input: Uint8Array, level: number, output: JobOutput): number[] {
  const deflater = new RawDeflater(level);
  const sizes: number[] = [];
  for (let offset = 0; offset < input.length; offset += BLOCK_SIZE) {
    const size = deflater.deflate(input.subarray(offset, offset + BLOCK_SIZE), output, output.length);
    output.length += size;
    sizes.push(size);
  }
  return sizes;
}

function hashBlocks(input: Uint8Array, algorithm: HashAlgorithm): Uint8Array {
  const length = HASH_LENGTH[algorithm];
  const hashes = new Uint8Array(Math.ceil(input.length / BLOCK_SIZE) * length);
  for (let offset = 0, at = 0; offset < input.length; offset += BLOCK_SIZE, at += length) {
    hashes.set(blockDigest(algorithm, input.subarray(offset, offset + BLOCK_SIZE)), at);
  }
  return hashes;
}

function stored(start: number, length: number, hashes: Uint8Array, crc: number): SegmentOutcome {
  return { stored: true, start, length, inputLength: length, inputStart: start, sizes: [], hashes, crc };
}
