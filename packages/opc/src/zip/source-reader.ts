import { Readable } from 'node:stream';
import { yauzl } from '../dependencies.js';
import { READ_AHEAD_BYTES } from '../limits.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { CENTRAL_HEADER_SIZE, SIG_CENTRAL_HEADER } from './signatures.js';

/** A cached stretch of the source. */
interface Window {
  start: number;
  bytes: Buffer;
}

/**
 * Lets yauzl read through a RandomAccessSource. Walking the central directory makes two small reads per
 * entry; they are answered from a read-ahead window by overriding `read` (what yauzl's header parsing calls),
 * synchronously on a hit and with no stream object per read. The walk is sequential, so one window does.
 */
export class SourceReader extends yauzl.RandomAccessReader {
  private window: Window = { start: 0, bytes: Buffer.alloc(0) };

  /**
   * `zeroed`: a range yauzl is shown as zero bytes (central-directory.ts hides the archive comment's length
   * this way). `onCentralHeader` sees the fixed 46 bytes of each central directory header as yauzl reads
   * it, in directory order: yauzl skips fields the checks need (the disk number where the entry starts).
   * Only the reads at the offset where the next header must start (from `centralDirectoryOffset`, each
   * header's lengths giving the next) are headers: a name, extra field and comment of 46 bytes that begin
   * with the header signature are not (found by review).
   */
  constructor(
    private readonly source: RandomAccessSource,
    private readonly signal?: AbortSignal,
    private readonly zeroed?: { readonly offset: number; readonly length: number },
    private readonly onCentralHeader?: (header: Buffer) => void,
    centralDirectoryOffset = 0,
  ) {
    super();
    this.nextHeaderAt = centralDirectoryOffset;
  }

  private nextHeaderAt: number;

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (error: Error | null, bytesRead?: number) => void,
  ): void {
    // A window hit is answered at once: the directory walk makes two such reads per entry.
    const hit = this.fromWindow(position, length);
    if (hit) {
      hit.copy(buffer, offset);
      this.notice(buffer, offset, hit.length, position);
      callback(null, hit.length);
      return;
    }
    this.bytes(position, length).then(
      (bytes) => {
        bytes.copy(buffer, offset);
        this.notice(buffer, offset, bytes.length, position);
        callback(null, bytes.length);
      },
      (error: Error) => callback(error),
    );
  }

  /** Hands a central directory header yauzl just read to `onCentralHeader`. */
  private notice(buffer: Buffer, offset: number, length: number, position: number): void {
    if (
      this.onCentralHeader === undefined ||
      position !== this.nextHeaderAt ||
      length !== CENTRAL_HEADER_SIZE ||
      buffer.readUInt32LE(offset) !== SIG_CENTRAL_HEADER
    ) {
      return;
    }
    // Name, extra field and comment lengths (APPNOTE 4.3.12) say where the next header starts.
    this.nextHeaderAt =
      position +
      CENTRAL_HEADER_SIZE +
      buffer.readUInt16LE(offset + 28) +
      buffer.readUInt16LE(offset + 30) +
      buffer.readUInt16LE(offset + 32);
    this.onCentralHeader(buffer.subarray(offset, offset + CENTRAL_HEADER_SIZE));
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.chunks(start, end), { objectMode: false });
  }

  private async *chunks(start: number, end: number): AsyncGenerator<Buffer> {
    if (end > start) yield await this.bytes(start, end - start);
  }

  private fromWindow(position: number, length: number): Buffer | null {
    const { start, bytes } = this.window;
    if (position < start || position + length > start + bytes.length) return null;
    return bytes.subarray(position - start, position - start + length);
  }

  private async bytes(position: number, length: number): Promise<Buffer> {
    const hit = this.fromWindow(position, length);
    if (hit) return hit;
    if (length >= READ_AHEAD_BYTES)
      return this.zero(position, await this.source.read(position, length, this.signal));
    const windowLength = Math.max(length, Math.min(READ_AHEAD_BYTES, this.source.size - position));
    this.window = {
      start: position,
      bytes: this.zero(position, await this.source.read(position, windowLength, this.signal)),
    };
    return this.window.bytes.subarray(0, length);
  }

  /** `bytes` read from `position`, with whatever of the zeroed range they hold set to zero. */
  private zero(position: number, bytes: Buffer): Buffer {
    if (this.zeroed === undefined) return bytes;
    const from = Math.max(this.zeroed.offset, position);
    const to = Math.min(this.zeroed.offset + this.zeroed.length, position + bytes.length);
    if (from < to) bytes.fill(0, from - position, to - position);
    return bytes;
  }
}
