/** Messages between the block pipeline and its worker threads. Buffers travel as transferred ArrayBuffers. */

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

export const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * Independent blocks laid end to end in `data`: block i is `sizes[i]` bytes. Stored blocks are hashed as
 * they are; deflated ones are each inflated alone, from a fresh inflater (FORMAT.md §3, §9.7), and must give
 * exactly `expected[i]` bytes.
 */
export interface BlocksJob {
  readonly kind: 'blocks';
  readonly id: number;
  readonly deflated: boolean;
  readonly algorithm: HashAlgorithm;
  readonly data: Uint8Array;
  readonly sizes: readonly number[];
  readonly expected: readonly number[];
}

export interface BlocksResult {
  readonly kind: 'blocks';
  readonly id: number;
  /** Digests of the blocks, concatenated; a failed block's slot is zero-filled. */
  readonly hashes: Uint8Array;
  /** Uncompressed length of each block, or -1 when it did not inflate. */
  readonly lengths: readonly number[];
  readonly errors: readonly (string | null)[];
  /** CRC-32 of the concatenated uncompressed blocks (meaningful only without errors). */
  readonly crc: number;
  readonly outLength: number;
}

/**
 * A piece of one deflate stream whose block boundaries are unknown (a plain ZIP, or a BlockMap whose sizes
 * do not add up): inflated in order on one worker, hashed per 64 KiB of output.
 */
export interface StreamJob {
  readonly kind: 'stream';
  readonly id: number;
  readonly streamId: number;
  readonly algorithm: HashAlgorithm;
  readonly data: Uint8Array;
  readonly final: boolean;
  /** The central directory's uncompressed size: output past it is an error (bomb guard). */
  readonly declaredSize: number;
}

export interface StreamResult {
  readonly kind: 'stream';
  readonly id: number;
  /** Digests of the 64 KiB blocks completed by this piece, concatenated. */
  readonly hashes: Uint8Array;
  readonly blockCount: number;
  /** Set on the final piece. */
  readonly crc?: number;
  readonly outLength?: number;
  readonly error?: string;
}

export type WorkerJob = BlocksJob | StreamJob;
export type WorkerResult = BlocksResult | StreamResult;
