import type { PackageItem } from '../package-item.js';
import type { BlocksOutcome, HashAlgorithm, StreamOutcome } from './block-job.js';
import { HASH_LENGTH } from './block-job.js';
import { digestAt, digestList } from './compact-blocks.js';
import { crc32Combine } from './crc32-combine.js';

/**
 * The uncompressed 64 KiB blocks of one item, hashed, plus its CRC-32. The digests stay end to end in one
 * buffer (`hashes`); `blockHash(i)` views one, and the `blockHashes` list is made only when first read: a
 * Buffer object per block, for the 20,000 blocks of a package, is what a caller that only compares them
 * (the verifier) or keeps them compact (digestPackage) should not pay for.
 */
export class ItemDigest {
  declare readonly item: PackageItem;
  declare readonly algorithm: HashAlgorithm;
  /** How blocks were cut: independently by BlockMap sizes (or stored slices), or from one inflate stream. */
  declare readonly mode: 'blocks' | 'stream';
  /** Every block's digest end to end (block i at i × the digest length); zeros where a block failed. */
  declare readonly hashes: Uint8Array;
  declare readonly blockCount: number;
  /** Uncompressed length of each block ('blocks' mode); -1 where it failed. */
  declare readonly blockLengths: readonly number[];
  declare readonly blockErrors: readonly (string | null)[];
  /** CRC-32 of the whole uncompressed item; null when some part of it could not be produced. */
  declare readonly crc32: number | null;
  declare readonly length: number;
  /** A failure of the item as a whole ('stream' mode). */
  declare readonly error: string | null;
  #blockHashes: (Buffer | null)[] | undefined;

  /** The fields as the accumulator assembles them. */
  constructor(fields: Omit<ItemDigest, 'hasBlock' | 'blockHash' | 'blockHashes'>) {
    Object.assign(this, fields);
  }

  /** Whether block `index` exists and was digested (a failed block has no digest). */
  hasBlock(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.blockCount) return false;
    return this.mode === 'stream' || (this.blockLengths[index] ?? -1) >= 0;
  }

  /** Block `index`'s digest (a view into `hashes`), or null where that block failed or does not exist. */
  blockHash(index: number): Buffer | null {
    return this.hasBlock(index) ? digestAt(this.hashes, index, HASH_LENGTH[this.algorithm]) : null;
  }

  /** One per block; null where that block failed (see blockErrors). Made on first read. */
  get blockHashes(): (Buffer | null)[] {
    this.#blockHashes ??= digestList(this.hashes, HASH_LENGTH[this.algorithm], this.blockCount, (i) =>
      this.hasBlock(i),
    );
    return this.#blockHashes;
  }
}

export interface DigestRequest {
  readonly item: PackageItem;
  /**
   * Compressed size of each block (BlockMap `Block/@Size`, FORMAT.md §3) for a deflated item: each block is
   * then inflated alone. Omitted: stored items are sliced, deflated ones inflated as one stream.
   */
  readonly blockSizes?: readonly number[];
}

/** A stream piece's digests: `count` of them end to end. */
interface StreamPiece {
  readonly hashes: Uint8Array;
  readonly count: number;
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
   * the pieces' own arrays ('stream' mode). No Buffer per block is made here (only if ItemDigest.blockHashes
   * is read): one object per block held until the item ends (40,000 for a 2.4 GB part) is what made V8
   * double its young generation while digesting.
   */
  private readonly hashBytes: Uint8Array;
  private readonly streamPieces: StreamPiece[] = [];
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

  /**
   * Stream pieces arrive in order (one worker per stream); the last carries the CRC or the error. Pieces
   * after an error are ignored: the worker starts them on a fresh inflater, so their hashes would be of
   * garbage.
   */
  addStream(outcome: StreamOutcome): void {
    if (this.streamEnd?.error === undefined) {
      if (outcome.blockCount > 0)
        this.streamPieces.push({ hashes: outcome.hashes, count: outcome.blockCount });
      if (outcome.error !== undefined || outcome.crc !== undefined) this.streamEnd ??= outcome;
    }
    this.arrived();
  }

  /** True once a stream piece failed: the rest of the stream need not be read. */
  get streamFailed(): boolean {
    return this.streamEnd?.error !== undefined;
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
    return new ItemDigest({
      item: this.item,
      algorithm: this.algorithm,
      mode: 'blocks',
      hashes: this.hashBytes,
      blockCount: this.lengths.length,
      blockLengths: this.lengths,
      blockErrors: this.errors,
      crc32: complete ? crc : null,
      length,
      error: this.tailError,
    });
  }

  private streamDigest(): ItemDigest {
    const end = this.streamEnd;
    const error = end?.error ?? (end ? null : 'the stream ended without a result');
    const digestLength = HASH_LENGTH[this.algorithm];
    const pieces = this.streamPieces;
    const blockCount = pieces.reduce((sum, piece) => sum + piece.count, 0);
    // One piece (every item inflated whole) is used as it came; a large item's pieces are joined once.
    const hashes = pieces.length === 1 ? (pieces[0] as StreamPiece).hashes : joined(pieces, digestLength);
    return new ItemDigest({
      item: this.item,
      algorithm: this.algorithm,
      mode: 'stream',
      hashes,
      blockCount,
      blockLengths: NO_BLOCKS,
      blockErrors: NO_BLOCKS,
      crc32: error === null ? (end?.crc ?? null) : null,
      length: end?.outLength ?? 0,
      error,
    });
  }
}

/** The pieces' digests in one buffer, in order. */
function joined(pieces: readonly StreamPiece[], digestLength: number): Uint8Array {
  const hashes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.count, 0) * digestLength);
  let at = 0;
  for (const piece of pieces) {
    hashes.set(piece.hashes.subarray(0, piece.count * digestLength), at);
    at += piece.count * digestLength;
  }
  return hashes;
}
