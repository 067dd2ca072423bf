import { AppvError, ErrorCode } from '../errors.js';
import { quoted } from '../printable-text.js';

/**
 * Messages between the digest scheduler and its worker threads. A batch carries one contiguous read of the
 * package and the tasks that fall inside it, so many small items cost one read and one message.
 */

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

export const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * Refuses an `algorithm` option that is no HashAlgorithm (USAGE) before any job is posted: a worker given
 * `md5` or `SHA256` crashed, or answered with digests of the wrong length (found by review).
 */
export function checkHashAlgorithm(
  algorithm: unknown,
  where: string,
): asserts algorithm is HashAlgorithm | undefined {
  if (algorithm === undefined || (typeof algorithm === 'string' && Object.hasOwn(HASH_LENGTH, algorithm)))
    return;
  throw new AppvError(
    ErrorCode.USAGE,
    `${where}: algorithm must be one of ${Object.keys(HASH_LENGTH).join(', ')}, not ${quoted(algorithm)}`,
  );
}

/**
 * Independent blocks laid end to end from `offset`: block i is `sizes[i]` bytes. Stored blocks are hashed
 * as they are; deflated ones are each inflated alone, from a fresh inflater (FORMAT.md §3, §9.7), and may not
 * produce more than `expected[i]` bytes.
 */
export interface BlocksTask {
  readonly kind: 'blocks';
  readonly offset: number;
  readonly deflated: boolean;
  readonly sizes: readonly number[];
  readonly expected: readonly number[];
  /** The task's last block is the item's last: only there may the deflate stream end. */
  readonly endsItem: boolean;
  /**
   * Bytes after the last block that belong to no block (FORMAT.md §3: the 2-byte final block). They must
   * inflate to nothing and end the stream, or a reader of the whole item would fail where blocks pass.
   */
  readonly tail: number;
}

/** A whole small deflate stream whose block boundaries are unknown: inflated in one call, hashed per 64 KiB. */
export interface WholeTask {
  readonly kind: 'whole';
  readonly offset: number;
  readonly length: number;
  /** The central directory's uncompressed size: output past it is an error (bomb guard). */
  readonly declaredSize: number;
}

export type BatchTask = BlocksTask | WholeTask;

export interface BatchJob {
  readonly kind: 'batch';
  readonly id: number;
  readonly algorithm: HashAlgorithm;
  readonly data: Uint8Array;
  readonly tasks: readonly BatchTask[];
}

export interface BlocksOutcome {
  readonly kind: 'blocks';
  /** Digests of the blocks, concatenated; a failed block's slot is zero-filled. */
  readonly hashes: Uint8Array;
  /** Uncompressed length of each block, or -1 when it did not inflate. */
  readonly lengths: readonly number[];
  readonly errors: readonly (string | null)[];
  /** CRC-32 of the concatenated uncompressed blocks (meaningful only without errors). */
  readonly crc: number;
  readonly outLength: number;
  /** Why the tail is not a proper end of the stream, if it is not. */
  readonly tailError: string | null;
}

/** Digests of consecutive 64 KiB blocks of a stream (a whole task, or one piece of a stream job). */
export interface StreamOutcome {
  readonly kind: 'stream';
  readonly hashes: Uint8Array;
  readonly blockCount: number;
  /** Set when the stream is complete. */
  readonly crc?: number;
  readonly outLength?: number;
  readonly error?: string;
}

export interface BatchResult {
  readonly kind: 'batch';
  readonly id: number;
  readonly outcomes: readonly (BlocksOutcome | StreamOutcome)[];
  /** The job's data, handed back for reuse. */
  readonly input: Uint8Array;
}

/**
 * A piece of a large deflate stream whose block boundaries are unknown (a plain ZIP, or a BlockMap whose
 * sizes do not add up): inflated in order on one worker, hashed per 64 KiB of output.
 */
export interface StreamJob {
  readonly kind: 'stream';
  readonly id: number;
  readonly streamId: number;
  readonly algorithm: HashAlgorithm;
  readonly data: Uint8Array;
  readonly final: boolean;
  readonly declaredSize: number;
}

export interface StreamResult {
  readonly kind: 'stream';
  readonly id: number;
  readonly outcome: StreamOutcome;
  /** The job's data, handed back for reuse. */
  readonly input: Uint8Array;
}

/**
 * What the writer wants done with one segment of a compress job (FORMAT.md §3): `deflate` each 64 KiB
 * block with a full flush; `stored` only hash; `auto` deflate, but answer stored when deflate saves too
 * little to be worth a reader's inflate (already-compressed content).
 */
export type SegmentMode = 'deflate' | 'stored' | 'auto';

/** One part's bytes, or one piece of them, starting at a 64 KiB boundary of the part. */
export interface CompressSegment {
  readonly offset: number;
  readonly length: number;
  readonly mode: SegmentMode;
}

/** Bytes of one or more parts to compress and hash, for the package writer. */
export interface CompressJob {
  readonly kind: 'compress';
  readonly id: number;
  readonly algorithm: HashAlgorithm;
  readonly level: number;
  /** A whole (transferable) buffer; the segments say which bytes of it are the job's. */
  readonly data: Uint8Array;
  readonly segments: readonly CompressSegment[];
  /** Where to put the compressed bytes (reused by the writer); a larger one is made if it does not fit. */
  readonly output: Uint8Array;
}

export interface SegmentOutcome {
  readonly stored: boolean;
  /** Where the segment's bytes to write are: a range of the result's `output` (deflated) or `input` (stored). */
  readonly start: number;
  readonly length: number;
  /** Uncompressed length of the segment, and where it starts in the job's data (kept when asked). */
  readonly inputLength: number;
  readonly inputStart: number;
  /** Compressed size of each block, flush included (deflated only; the stream's final block comes later). */
  readonly sizes: readonly number[];
  /** Digests of the segment's uncompressed blocks, concatenated. */
  readonly hashes: Uint8Array;
  /** CRC-32 of the segment's uncompressed bytes (joined across segments with crc32Combine). */
  readonly crc: number;
}

export interface CompressResult {
  readonly kind: 'compress';
  readonly id: number;
  readonly outcomes: readonly SegmentOutcome[];
  /** The job's output buffer with the compressed bytes. */
  readonly output: Uint8Array;
  /** The job's own data, always handed back (stored segments are written from it; then it is reused). */
  readonly input: Uint8Array;
}

/** Asks a worker to exit once it is between jobs (worker-pool.ts says why not `terminate()`). */
export interface StopMessage {
  readonly kind: 'stop';
}

/** A job the worker could not do: it answers so rather than end the thread (block-worker.ts). */
export interface FailedResult {
  readonly kind: 'failed';
  readonly id: number;
  readonly message: string;
}

export type WorkerJob = BatchJob | StreamJob | CompressJob;
export type WorkerMessage = WorkerJob | StopMessage;
export type WorkerResult = BatchResult | StreamResult | CompressResult;
/** What a worker posts back: a job's result, or that it failed. */
export type WorkerAnswer = WorkerResult | FailedResult;
