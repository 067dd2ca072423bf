import type { PackageItem } from '../package-item.js';
import type { BlocksOutcome, HashAlgorithm, StreamOutcome } from './block-job.js';
import { HASH_LENGTH } from './block-job.js';
import { digestAt } from './compact-blocks.js';
import { crc32Combine } from './crc32-combine.js';

/** The uncompressed 64 KiB blocks of one item, hashed, plus its CRC-32. */
export interface ItemDigest {
  readonly item: PackageItem;
  readonly algorithm: HashAlgorithm;
  /** How blocks were cut: independently by BlockMap sizes (or stored slices), or from one inflate stream. */
  readonly mode: 'blocks' | 'stream';
  /** One per block; null where that block failed (see blockErrors). */
  readonly blockHashes: (Buffer | null)[];
  /** Uncompressed length of each block ('blocks' mode); -1 where it failed. */
  readonly blockLengths: readonly number[];
  readonly blockErrors: readonly (string | null)[];
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

/** What a stream digest has per block besides hashes: nothing, one frozen array shared by all of them. */
const NO_BLOCKS: readonly never[] = Object.freeze([]);

/**
 * Collects the outcomes of an item's tasks, which may arrive from different workers in any order, and
 * assembles the digest once the last one is in.
 */
export class ItemAccumulator {
  /**
   * The block digests as they arrive, end to end ('blocks' mode: one buffer sized for every block), or as
   * the pieces' own arrays ('stream' mode). Buffers per block are made only when the digest is assembled:
   * one object per block held until the item ends (40,000 for a 2.4 GB part) is what made V8 double its
   * young generation while digesting.
   */
  private readonly hashBytes: Uint8Array;
  private readonly streamPieces: { readonly hashes: Uint8Array; readonly count: number }[] = [];
  private readonly lengths: number[];
  private readonly errors: (string | null)[];
  private readonly crcPieces: { first: number; crc: number; length: number }[] = [];
  private streamEnd: StreamOutcome | null = null;
  private tailError: string | null = null;
  private outstanding = 0;
  private sealed = false;
  private resolve: (digest: ItemDigest) => void = () => {};
  readonly done: Promise<ItemDigest>;

  constructor(
    readonly item: PackageItem,
    private readonly algorithm: HashAlgorithm,
    private readonly mode: 'blocks' | 'stream',
    blockCount: number,
  ) {
    this.hashBytes = new Uint8Array(mode === 'blocks' ? blockCount * HASH_LENGTH[algorithm] : 0);
    this.lengths = new Array(mode === 'blocks' ? blockCount : 0).fill(-1);
    this.errors = new Array(mode === 'blocks' ? blockCount : 0).fill(null);
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /** One more outcome is owed. */
  expect(): void {
    this.outstanding++;
  }

  /** No more tasks will be added; resolves now if nothing is outstanding. */
  seal(): void {
    this.sealed = true;
    this.settleIfDone();
  }

  /** A block the scheduler refused to read (e.g. an absurd compressed size). */
  failBlock(block: number, reason: string): void {
    this.errors[block] = reason;
  }

  addBlocks(first: number, outcome: BlocksOutcome): void {
    const digestLength = HASH_LENGTH[this.algorithm];
    outcome.lengths.forEach((length, i) => {
      this.lengths[first + i] = length;
      this.errors[first + i] = outcome.errors[i] ?? null;
    });
    this.hashBytes.set(
      outcome.hashes.subarray(0, outcome.lengths.length * digestLength),
      first * digestLength,
    );
    this.crcPieces.push({ first, crc: outcome.crc, length: outcome.outLength });
    this.tailError ??= outcome.tailError;
    this.arrived();
  }

  /** Stream pieces arrive in order (one worker per stream); the last carries the CRC or the error. */
  addStream(outcome: StreamOutcome): void {
    if (outcome.blockCount > 0) this.streamPieces.push({ hashes: outcome.hashes, count: outcome.blockCount });
    if (outcome.error !== undefined || outcome.crc !== undefined) this.streamEnd ??= outcome;
    this.arrived();
  }

  private arrived(): void {
    this.outstanding--;
    this.settleIfDone();
  }

  private settleIfDone(): void {
    if (this.sealed && this.outstanding === 0)
      this.resolve(this.mode === 'blocks' ? this.blocksDigest() : this.streamDigest());
  }

  private blocksDigest(): ItemDigest {
    let crc = 0;
    let length = 0;
    for (const piece of [...this.crcPieces].sort((a, b) => a.first - b.first)) {
      crc = crc32Combine(crc, piece.crc, piece.length);
      length += piece.length;
    }
    const complete = this.errors.every((e) => e === null) && this.lengths.every((l) => l >= 0);
    const digestLength = HASH_LENGTH[this.algorithm];
    return {
      item: this.item,
      algorithm: this.algorithm,
      mode: 'blocks',
      blockHashes: this.lengths.map((length, i) =>
        length >= 0 ? digestAt(this.hashBytes, i, digestLength) : null,
      ),
      blockLengths: this.lengths,
      blockErrors: this.errors,
      crc32: complete ? crc : null,
      length,
      error: this.tailError,
    };
  }

  private streamDigest(): ItemDigest {
    const end = this.streamEnd;
    const error = end?.error ?? (end ? null : 'the stream ended without a result');
    const digestLength = HASH_LENGTH[this.algorithm];
    const blockHashes: Buffer[] = [];
    for (const piece of this.streamPieces)
      for (let i = 0; i < piece.count; i++) blockHashes.push(digestAt(piece.hashes, i, digestLength));
    return {
      item: this.item,
      algorithm: this.algorithm,
      mode: 'stream',
      blockHashes,
      blockLengths: NO_BLOCKS,
      blockErrors: NO_BLOCKS,
      crc32: error === null ? (end?.crc ?? null) : null,
      length: end?.outLength ?? 0,
      error,
    };
  }
}
