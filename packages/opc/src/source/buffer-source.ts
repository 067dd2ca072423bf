import { throwIfAborted } from '../errors.js';
import type { RandomAccessSource } from './random-access-source.js';
import { assertOpen, assertRangeInside } from './range-check.js';

/** A package already in memory. Reads are zero-copy views. */
export class BufferSource implements RandomAccessSource {
  readonly size: number;
  private closed = false;

  constructor(
    private readonly buffer: Buffer,
    readonly name = '<buffer>',
  ) {
    this.size = buffer.length;
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    throwIfAborted(signal);
    assertOpen(this.closed, this.name);
    assertRangeInside(this.size, offset, length, this.name);
    return this.buffer.subarray(offset, offset + length);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
