import { digestList } from './compact-blocks.js';

/**
 * One part of a digested package. Its digests stay where digestPackage put them, in slabs shared by every
 * part (hash-arena.ts): the Buffer per block of `blockHashes` is made only when it is first read.
 */
export class DigestedPart {
  #blockHashes: (Buffer | null)[] | undefined;

  constructor(
    readonly name: string,
    readonly size: number,
    readonly crc32: number | null,
    readonly error: string | null,
    /** Every block's digest end to end; blocks listed in `failed` are zeros. */
    private readonly hashes: Buffer,
    private readonly hashLength: number,
    /** The blocks that failed (null hashes), or null when none did. */
    private readonly failed: ReadonlySet<number> | null,
  ) {}

  get blockCount(): number {
    return this.hashes.length / this.hashLength;
  }

  /** One per block; null where that block failed. */
  get blockHashes(): (Buffer | null)[] {
    this.#blockHashes ??= digestList(
      this.hashes,
      this.hashLength,
      this.blockCount,
      (i) => !this.failed?.has(i),
    );
    return this.#blockHashes;
  }
}
