import { createHash, type Hash } from 'node:crypto';
import zlib from 'node:zlib';
import { BLOCK_SIZE } from '../limits.js';
import { blockDigest } from './block-digest.js';
import type { HashAlgorithm } from './block-job.js';

/**
 * Cuts a byte stream into 64 KiB blocks and hashes each, keeping only the running hash of the current
 * block (no copy of a partial block: a copy per item was a 64 KiB allocation per item, which piled up in
 * a worker's memory between garbage collections); keeps the running CRC-32 and refuses output past the
 * declared size (a bomb stops at its first excess byte).
 */
export class BlockHasher {
  crc = 0;
  length = 0;
  private current: Hash | null = null;
  private fill = 0;
  private completed: Buffer[] = [];
  private shortBlockSeen = false;

  constructor(
    private readonly algorithm: HashAlgorithm,
    private readonly declaredSize: number,
  ) {}

  push(chunk: Uint8Array): void {
    this.refuseAfterShortBlock(chunk);
    this.length += chunk.length;
    if (this.length > this.declaredSize)
      throw new RangeError(`inflates past its declared ${this.declaredSize} bytes`);
    this.crc = zlib.crc32(chunk, this.crc);
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(BLOCK_SIZE - this.fill, chunk.length - offset);
      this.current ??= createHash(this.algorithm);
      this.current.update(chunk.subarray(offset, offset + take));
      this.fill += take;
      offset += take;
      if (this.fill === BLOCK_SIZE) this.endBlock();
    }
  }

  /**
   * One whole block, with nothing pending: hashed in one call. For output that comes block by block (a
   * whole inflate hands out 64 KiB chunks, the last shorter); anything else goes through `push`.
   */
  pushBlock(block: Uint8Array): void {
    if (block.length === 0) return;
    if (this.fill > 0 || block.length > BLOCK_SIZE) {
      this.push(block);
      return;
    }
    this.refuseAfterShortBlock(block);
    this.shortBlockSeen = block.length < BLOCK_SIZE;
    this.length += block.length;
    if (this.length > this.declaredSize)
      throw new RangeError(`inflates past its declared ${this.declaredSize} bytes`);
    this.crc = zlib.crc32(block, this.crc);
    this.completed.push(blockDigest(this.algorithm, block));
  }

  finish(): void {
    if (this.fill > 0) this.endBlock();
  }

  /**
   * The digests completed so far, end to end. The buffer may be a slice of Node's shared pool: a result
   * that leaves the thread gets its own copy (block-worker.ts, withSharedHashes).
   */
  takeCompleted(): { hashes: Uint8Array; blockCount: number } {
    const blockCount = this.completed.length;
    const hashes = Buffer.concat(this.completed);
    this.completed = [];
    return { hashes, blockCount };
  }

  /** A short block ends the output: more after it would be hashed as blocks of the wrong boundaries. */
  private refuseAfterShortBlock(chunk: Uint8Array): void {
    if (this.shortBlockSeen && chunk.length > 0) throw new Error('output continues after a short block');
  }

  private endBlock(): void {
    this.completed.push((this.current as Hash).digest());
    this.current = null;
    this.fill = 0;
  }
}
