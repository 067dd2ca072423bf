import { throwIfAborted } from '../errors.js';
import { BLOCK_SIZE, JOB_BYTES, MAX_COMPRESSED_BLOCK } from '../limits.js';
import type { PackageItem } from '../package-item.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { CompressionMethod } from '../zip/compression-method.js';
import type { BlocksResult, HashAlgorithm, StreamResult } from './block-job.js';
import { HASH_LENGTH } from './block-job.js';
import { crc32Combine } from './crc32-combine.js';
import type { WorkerPool } from './worker-pool.js';

/** The uncompressed 64 KiB blocks of one item, hashed, plus its CRC-32. */
export interface ItemDigest {
  readonly item: PackageItem;
  readonly algorithm: HashAlgorithm;
  /** How blocks were cut: independently by BlockMap sizes (or stored slices), or from one inflate stream. */
  readonly mode: 'blocks' | 'stream';
  /** One per block; null where that block failed (see blockErrors). */
  readonly blockHashes: (Buffer | null)[];
  /** Uncompressed length of each block ('blocks' mode); -1 where it failed. */
  readonly blockLengths: number[];
  readonly blockErrors: (string | null)[];
  /** CRC-32 of the whole uncompressed item; null when some part of it could not be produced. */
  readonly crc32: number | null;
  readonly length: number;
  /** A failure of the item as a whole ('stream' mode). */
  readonly error: string | null;
}

export interface DigestRequest {
  readonly item: PackageItem;
  /**
   * Compressed size of each block (BlockMap `Block/@Size`, FORMAT.md §3) for a deflated item: each block is
   * then inflated alone. Omitted: stored items are sliced, deflated ones inflated as one stream.
   */
  readonly blockSizes?: readonly number[];
}

export interface DigestContext {
  readonly source: RandomAccessSource;
  readonly pool: WorkerPool;
  readonly algorithm: HashAlgorithm;
  readonly signal?: AbortSignal;
  /** Called with the compressed bytes just handed to a worker. */
  readonly onBytes?: (bytes: number) => void;
}

/** A promise inside an object: an async function returning a bare promise would flatten it. */
export interface Scheduled {
  readonly completion: Promise<ItemDigest>;
}

/**
 * Dispatches the item's jobs and returns once they are all in the pool (so the caller can go on to the
 * next item while these run); the inner promise settles when the digest is complete.
 */
export async function scheduleDigest(request: DigestRequest, context: DigestContext): Promise<Scheduled> {
  const { item } = request;
  if (item.method === CompressionMethod.Stored) return scheduleBlocks(item, storedSlices(item.uncompressedSize), false, context);
  if (request.blockSizes) return scheduleBlocks(item, request.blockSizes, true, context);
  return scheduleStream(item, context);
}

function storedSlices(size: number): number[] {
  const slices: number[] = [];
  for (let offset = 0; offset < size; offset += BLOCK_SIZE) slices.push(Math.min(BLOCK_SIZE, size - offset));
  return slices;
}

function expectedLengths(size: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(BLOCK_SIZE, size - i * BLOCK_SIZE)));
}

async function scheduleBlocks(
  item: PackageItem,
  sizes: readonly number[],
  deflated: boolean,
  context: DigestContext,
): Promise<Scheduled> {
  const expected = expectedLengths(item.uncompressedSize, sizes.length);
  const hashes: (Buffer | null)[] = new Array(sizes.length).fill(null);
  const lengths: number[] = new Array(sizes.length).fill(-1);
  const errors: (string | null)[] = new Array(sizes.length).fill(null);
  const jobs: { first: number; promise: Promise<BlocksResult> }[] = [];
  let offset = 0;
  let first = 0;
  while (first < sizes.length) {
    throwIfAborted(context.signal);
    let last = first;
    let bytes = 0;
    while (last < sizes.length && (last === first || bytes + (sizes[last] ?? 0) <= JOB_BYTES)) {
      bytes += sizes[last] ?? 0;
      last++;
    }
    const oversized = sizes.slice(first, last).findIndex((s) => s > MAX_COMPRESSED_BLOCK);
    if (oversized >= 0) {
      errors[first + oversized] = `its compressed size ${sizes[first + oversized]} is beyond any 64 KiB block`;
    } else {
      const data = await context.source.read(item.dataOffset + offset, bytes, context.signal);
      const job = { kind: 'blocks' as const, deflated, algorithm: context.algorithm, data, sizes: sizes.slice(first, last), expected: expected.slice(first, last) };
      const promise = context.pool.run(job) as Promise<BlocksResult>;
      promise.catch(() => {}); // awaited in order by collectBlocks; never an unhandled rejection meanwhile
      jobs.push({ first, promise });
      context.onBytes?.(bytes);
    }
    offset += bytes;
    first = last;
  }
  return { completion: collectBlocks(item, context.algorithm, jobs, { hashes, lengths, errors }) };
}

async function collectBlocks(
  item: PackageItem,
  algorithm: HashAlgorithm,
  jobs: { first: number; promise: Promise<BlocksResult> }[],
  into: { hashes: (Buffer | null)[]; lengths: number[]; errors: (string | null)[] },
): Promise<ItemDigest> {
  const digestLength = HASH_LENGTH[algorithm];
  let crc = 0;
  let length = 0;
  let complete = true;
  for (const { first, promise } of jobs) {
    const result = await promise;
    result.lengths.forEach((blockLength, i) => {
      into.lengths[first + i] = blockLength;
      into.errors[first + i] = result.errors[i] ?? null;
      if (blockLength >= 0) {
        into.hashes[first + i] = Buffer.from(result.hashes.subarray(i * digestLength, (i + 1) * digestLength));
      }
    });
    if (result.errors.some((e) => e !== null)) complete = false;
    crc = crc32Combine(crc, result.crc, result.outLength);
    length += result.outLength;
  }
  if (into.errors.some((e) => e !== null)) complete = false;
  return {
    item,
    algorithm,
    mode: 'blocks',
    blockHashes: into.hashes,
    blockLengths: into.lengths,
    blockErrors: into.errors,
    crc32: complete ? crc : null,
    length,
    error: null,
  };
}

let nextStreamId = 1;

async function scheduleStream(item: PackageItem, context: DigestContext): Promise<Scheduled> {
  const streamId = nextStreamId++;
  const affinity = context.pool.leastBusy();
  const pieces: Promise<StreamResult>[] = [];
  let offset = 0;
  do {
    throwIfAborted(context.signal);
    const length = Math.min(JOB_BYTES, item.compressedSize - offset);
    const data = await context.source.read(item.dataOffset + offset, length, context.signal);
    offset += length;
    const final = offset >= item.compressedSize;
    const job = { kind: 'stream' as const, streamId, algorithm: context.algorithm, data, final, declaredSize: item.uncompressedSize };
    const piece = context.pool.run(job, affinity) as Promise<StreamResult>;
    piece.catch(() => {}); // awaited in order by collectStream
    pieces.push(piece);
    context.onBytes?.(length);
  } while (offset < item.compressedSize);
  return { completion: collectStream(item, context.algorithm, pieces) };
}

async function collectStream(item: PackageItem, algorithm: HashAlgorithm, pieces: Promise<StreamResult>[]): Promise<ItemDigest> {
  const digestLength = HASH_LENGTH[algorithm];
  const hashes: Buffer[] = [];
  let last: StreamResult | undefined;
  for (const piece of pieces) {
    last = await piece;
    for (let i = 0; i < last.blockCount; i++) {
      hashes.push(Buffer.from(last.hashes.subarray(i * digestLength, (i + 1) * digestLength)));
    }
    if (last.error !== undefined) break;
  }
  const error = last?.error ?? null;
  return {
    item,
    algorithm,
    mode: 'stream',
    blockHashes: hashes,
    blockLengths: [],
    blockErrors: [],
    crc32: error === null ? (last?.crc ?? null) : null,
    length: last?.outLength ?? 0,
    error,
  };
}
