import { type FileHandle, open } from 'node:fs/promises';
import { AppvError, ErrorCode, throwIfAborted, toAppvError } from '../errors.js';
import type { RandomAccessSource } from './random-access-source.js';
import { assertRangeInside } from './range-check.js';

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
      handle = await open(path, 'r');
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_READ_FAILED, { part: path });
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new AppvError(ErrorCode.IO_READ_FAILED, `${path} is not a regular file`);
      return new FileSource(handle, stat.size, path);
    } catch (error) {
      await handle.close();
      throw toAppvError(error, ErrorCode.IO_READ_FAILED, { part: path });
    }
  }

  async read(offset: number, length: number, signal?: AbortSignal, into?: Uint8Array): Promise<Buffer> {
    throwIfAborted(signal);
    assertRangeInside(this.size, offset, length, this.name);
    // allocUnsafeSlow: never a slice of the shared pool, so the bytes can be transferred to a worker.
    const buffer =
      into && into.length >= length
        ? Buffer.from(into.buffer, into.byteOffset, length)
        : Buffer.allocUnsafeSlow(length);
    let done = 0;
    try {
      while (done < length) {
        const { bytesRead } = await this.handle.read(buffer, done, length - done, offset + done);
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
