import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { READ_AHEAD_BYTES } from '../limits.js';
import type { RandomAccessSource } from '../source/random-access-source.js';

/**
 * Lets yauzl read through a RandomAccessSource. yauzl walks the central directory with many small reads
 * (46 bytes, then the name), so they are served from a read-ahead window: one source read per window
 * instead of two per entry (that matters for an HTTP source).
 */
export class SourceReader extends yauzl.RandomAccessReader {
  private windowStart = 0;
  private window: Buffer = Buffer.alloc(0);

  constructor(
    private readonly source: RandomAccessSource,
    private readonly signal?: AbortSignal,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.readRange(start, end), { objectMode: false });
  }

  private async *readRange(start: number, end: number): AsyncGenerator<Buffer> {
    if (end <= start) return;
    const cached = this.fromWindow(start, end);
    if (cached) {
      yield cached;
      return;
    }
    const length = end - start;
    if (length >= READ_AHEAD_BYTES) {
      yield await this.source.read(start, length, this.signal);
      return;
    }
    const windowLength = Math.min(READ_AHEAD_BYTES, this.source.size - start);
    this.window = await this.source.read(start, Math.max(windowLength, length), this.signal);
    this.windowStart = start;
    yield this.window.subarray(0, length);
  }

  private fromWindow(start: number, end: number): Buffer | null {
    const windowEnd = this.windowStart + this.window.length;
    if (start < this.windowStart || end > windowEnd) return null;
    return this.window.subarray(start - this.windowStart, end - this.windowStart);
  }
}
