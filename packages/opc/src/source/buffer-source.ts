import { AppvError, ErrorCode, throwIfAborted } from '../errors.js';
import { describeValue } from '../option-keys.js';
import type { RandomAccessSource } from './random-access-source.js';
import { assertOpen, assertRangeInside } from './range-check.js';

/** A package already in memory. Reads are zero-copy views. */
export class BufferSource implements RandomAccessSource {
  readonly size: number;
  private closed = false;

  private readonly buffer: Buffer;

  constructor(
    buffer: Uint8Array,
    readonly name = '<buffer>',
  ) {
    // A number or a string read as `buffer` failed only at the first read, as a TypeError (found by review).
    if (!(buffer instanceof Uint8Array)) {
      throw new AppvError(
        ErrorCode.USAGE,
        `BufferSource takes a Buffer or Uint8Array, not ${describeValue(buffer)}`,
      );
    }
    this.buffer = Buffer.isBuffer(buffer)
      ? buffer
      : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
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
