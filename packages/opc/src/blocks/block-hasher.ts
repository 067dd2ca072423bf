import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { BLOCK_SIZE } from '../limits.js';
import type { HashAlgorithm } from './block-job.js';

/**
 * Cuts a byte stream into 64 KiB blocks and hashes each, holding at most one partial block; keeps the
 * running CRC-32 and refuses output past the declared size (a bomb stops at its first excess byte).
 */
export class BlockHasher {
  crc = 0;
  length = 0;
  private pending: Buffer | null = null;
  private fill = 0;
  private completed: Buffer[] = [];

  constructor(
    private readonly algorithm: HashAlgorithm,
    private readonly declaredSize: number,
  ) {}

  push(chunk: Uint8Array): void {
    this.length += chunk.length;
    if (this.length > this.declaredSize)
      throw new RangeError(`inflates past its declared ${this.declaredSize} bytes`);
    this.crc = zlib.crc32(chunk, this.crc);
    let offset = 0;
    if (this.fill === 0) {
      // Whole blocks straight from the chunk, no copy.
      while (chunk.length - offset >= BLOCK_SIZE) {
        this.completed.push(this.digest(chunk.subarray(offset, offset + BLOCK_SIZE)));
        offset += BLOCK_SIZE;
      }
    }
    while (offset < chunk.length) {
      this.pending ??= Buffer.allocUnsafe(BLOCK_SIZE);
      const take = Math.min(BLOCK_SIZE - this.fill, chunk.length - offset);
      this.pending.set(chunk.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      if (this.fill === BLOCK_SIZE) this.flushPending();
    }
  }

  finish(): void {
    if (this.fill > 0) this.flushPending();
  }

  takeCompleted(): { hashes: Uint8Array; blockCount: number } {
    const blockCount = this.completed.length;
    const hashes = new Uint8Array(Buffer.concat(this.completed));
    this.completed = [];
    return { hashes, blockCount };
  }

  private flushPending(): void {
    this.completed.push(this.digest((this.pending ?? Buffer.alloc(0)).subarray(0, this.fill)));
    this.fill = 0;
  }

  private digest(block: Uint8Array): Buffer {
    return createHash(this.algorithm).update(block).digest();
  }
}
