import { constants, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { AppvError, ErrorCode, throwIfAborted, toAppvError } from '../errors.js';
import { SYNC_READ_BYTES } from '../limits.js';
import type { RandomAccessSource } from './random-access-source.js';
import { assertOpen, assertRangeInside } from './range-check.js';

/** A package on disk, read with positioned reads on one file handle (no seeking state, safe to share). */
export class FileSource implements RandomAccessSource {
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly name: string,
  ) {}

  static async open(path: string): Promise<FileSource> {
    let handle: FileHandle;
    try {
      // Non-blocking: opening a FIFO would otherwise wait for a writer, forever; it is refused below as not
      // a regular file. (Reads of a regular file ignore the flag.)
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_READ_FAILED, { file: path });
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        const what = stat.isDirectory() ? 'a directory' : specialFileKind(stat);
        throw new AppvError(ErrorCode.IO_READ_FAILED, `${path} is ${what}, not a package file`, {
          file: path,
        });
      }
      return new FileSource(handle, stat.size, path);
    } catch (error) {
      await handle.close();
      throw toAppvError(error, ErrorCode.IO_READ_FAILED, { file: path });
    }
  }

  async read(offset: number, length: number, signal?: AbortSignal, into?: Uint8Array): Promise<Buffer> {
    throwIfAborted(signal);
    assertOpen(this.closed, this.name);
    assertRangeInside(this.size, offset, length, this.name);
    // allocUnsafeSlow: never a slice of the shared pool, so the bytes can be transferred to a worker.
    const buffer =
      into && into.length >= length
        ? Buffer.from(into.buffer, into.byteOffset, length)
        : Buffer.allocUnsafeSlow(length);
    let done = 0;
    try {
      while (done < length) {
        const bytesRead = await this.readAt(buffer, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_READ_FAILED, { offset: offset + done });
    }
    if (done !== length) {
      throw new AppvError(ErrorCode.ZIP_TRUNCATED, `${this.name} shrank while being read`, {
        offset: offset + done,
      });
    }
    return buffer;
  }

  /**
   * Reads of up to SYNC_READ_BYTES (the listing's local-header windows, small jobs) are made synchronously:
   * on the bench machine a read through libuv's thread pool costs ~150 µs of hand-off, several times the
   * ~20 µs the read itself takes from the page cache, and listing the bench's set makes ~1,000 of them.
   * Larger reads stay asynchronous, so the event loop is held for one small read at a time at most (longer
   * on a cold cache or a network share, the price of this choice).
   */
  private async readAt(buffer: Buffer, at: number, length: number, position: number): Promise<number> {
    if (length <= SYNC_READ_BYTES) return readSync(this.handle.fd, buffer, at, length, position);
    return (await this.handle.read(buffer, at, length, position)).bytesRead;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** What a path that is neither a file nor a directory is, in words (`/dev/null` is a device). */
function specialFileKind(stat: {
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): string {
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isFIFO()) return 'a pipe';
  if (stat.isSocket()) return 'a socket';
  return 'no regular file';
}
