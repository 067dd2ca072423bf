import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { BLOCK_SIZE } from '../limits.js';
import type { CompressJob, CompressResult, HashAlgorithm, SegmentOutcome } from './block-job.js';
import { HASH_LENGTH } from './block-job.js';

/**
 * The writer's hot loop, run in a block worker: deflate every 64 KiB block on its own with a full flush,
 * hash it and CRC it (FORMAT.md §3). A fresh deflater per block is exactly what a full flush means (the
 * dictionary is reset at every block boundary), so blocks from different workers stitch together into one
 * valid raw-deflate stream, and each block's compressed length is known as it is produced.
 */

/**
 * `auto` stores a part when deflate saves less than 1/64 (~1.6%) of it: already-compressed content
 * (FORMAT.md §3 allows incompressible blocks to grow), where a reader's inflate would be work for nothing.
 */
const WORTHWHILE_SAVING_SHIFT = 6;

export function runCompress(job: CompressJob): CompressResult {
  const pieces: Uint8Array[] = [];
  let outputLength = 0;
  const outcomes = job.segments.map((segment): SegmentOutcome => {
    const input = job.data.subarray(segment.offset, segment.offset + segment.length);
    const hashes = hashBlocks(input, job.algorithm);
    const crc = zlib.crc32(input);
    if (segment.mode === 'stored' || input.length === 0) {
      return stored(segment.offset, segment.length, hashes, crc);
    }
    const { blocks, sizes, total } = deflateBlocks(input, job.level);
    if (segment.mode === 'auto' && total >= input.length - (input.length >>> WORTHWHILE_SAVING_SHIFT)) {
      return stored(segment.offset, segment.length, hashes, crc);
    }
    const start = outputLength;
    for (const block of blocks) pieces.push(block);
    outputLength += total;
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
  const output = outputLength <= job.output.length ? job.output : new Uint8Array(outputLength);
  let at = 0;
  for (const piece of pieces) {
    output.set(piece, at);
    at += piece.length;
  }
  return { kind: 'compress', id: job.id, outcomes, output, input: job.data };
}

function deflateBlocks(
  input: Uint8Array,
  level: number,
): { blocks: Uint8Array[]; sizes: number[]; total: number } {
  const blocks: Uint8Array[] = [];
  const sizes: number[] = [];
  let total = 0;
  const options = { level, finishFlush: zlib.constants.Z_FULL_FLUSH };
  for (let offset = 0; offset < input.length; offset += BLOCK_SIZE) {
    const block = zlib.deflateRawSync(input.subarray(offset, offset + BLOCK_SIZE), options);
    blocks.push(block);
    sizes.push(block.length);
    total += block.length;
  }
  return { blocks, sizes, total };
}

function hashBlocks(input: Uint8Array, algorithm: HashAlgorithm): Uint8Array {
  const length = HASH_LENGTH[algorithm];
  const hashes = new Uint8Array(Math.ceil(input.length / BLOCK_SIZE) * length);
  for (let offset = 0, at = 0; offset < input.length; offset += BLOCK_SIZE, at += length) {
    hashes.set(
      createHash(algorithm)
        .update(input.subarray(offset, offset + BLOCK_SIZE))
        .digest(),
      at,
    );
  }
  return hashes;
}

function stored(start: number, length: number, hashes: Uint8Array, crc: number): SegmentOutcome {
  return { stored: true, start, length, inputLength: length, inputStart: start, sizes: [], hashes, crc };
}
