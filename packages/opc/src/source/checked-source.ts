import { AppvError, ErrorCode, isAppvError, throwIfAborted } from '../errors.js';
import { quoted } from '../printable-text.js';
import { untilAborted } from '../until-aborted.js';
import { BufferSource } from './buffer-source.js';
import { FileSource } from './file-source.js';
import type { RandomAccessSource } from './random-access-source.js';

/**
 * A caller's RandomAccessSource held to the interface's promises, which its own code may not keep (an HTTP
 * source written by a tooling author): a failed read is IO_READ_FAILED with the cause (a network blip was a
 * bare TypeError, or a finding that a good package is corrupt), a read that returns fewer or more bytes than
 * asked for is IO_READ_FAILED rather than a package that seems valid, and a read that ignores the signal no
 * longer holds an aborted operation for ever (found by review). Our own sources keep these promises and are
 * not wrapped.
 */
export class CheckedSource implements RandomAccessSource {
  readonly name: string;
  /**
   * Read once, here: a `size` getter that throws (an HTTP source whose HEAD request failed) escaped as a
   * bare Error, and verify reported it as a corrupt package; a size that is no whole number (NaN) surfaced as
   * "Reading NaN bytes" (found by review).
   */
  readonly size: number;

  constructor(private readonly inner: RandomAccessSource) {
    this.name = typeof inner.name === 'string' ? inner.name : 'the package';
    let size: unknown;
    try {
      size = inner.size;
    } catch (error) {
      if (isAppvError(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new AppvError(ErrorCode.IO_READ_FAILED, `Cannot tell the size of ${this.name}: ${reason}`, {
        cause: error,
      });
    }
    if (!Number.isSafeInteger(size) || (size as number) < 0) {
      throw new AppvError(
        ErrorCode.USAGE,
        `A RandomAccessSource's size is a whole number of bytes; ${this.name} says ${quoted(size)}`,
      );
    }
    this.size = size as number;
  }

  async read(offset: number, length: number, signal?: AbortSignal, into?: Uint8Array): Promise<Buffer> {
    throwIfAborted(signal);
    let bytes: unknown;
    try {
      bytes = await untilAborted(this.inner.read(offset, length, signal, into), signal);
    } catch (error) {
      if (isAppvError(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new AppvError(
        ErrorCode.IO_READ_FAILED,
        `Reading ${length} bytes at offset ${offset} of ${this.name} failed: ${reason}`,
        { offset, cause: error },
      );
    }
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
      throw new AppvError(
        ErrorCode.IO_READ_FAILED,
        `Reading ${length} bytes at offset ${offset} of ${this.name} returned ${got}`,
        { offset },
      );
    }
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The source as the reader uses it: ours as they are, a caller's checked (CheckedSource). */
export function checkedSource(source: RandomAccessSource): RandomAccessSource {
  if (source instanceof FileSource || source instanceof BufferSource || source instanceof CheckedSource)
    return source;
  return new CheckedSource(source);
}
