import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { AppvError, ErrorCode, toAppvError } from '../errors.js';

/** Writes below this size are gathered, so the thousands of 30-byte headers and small parts cost few syscalls. */
const GATHER_BELOW = 64 * 1024;
const GATHER_BUFFER = 1024 * 1024;

/**
 * Where a package's bytes go, in order, with the position the next byte will have. Writes are awaited one at
 * a time, so the writer holds at most one gathering buffer plus the chunk being written, whatever the size
 * of the package, and a slow destination slows the writer down instead of filling memory.
 */
export class OutputSink {
  position = 0;
  private gathered = Buffer.allocUnsafe(GATHER_BUFFER);
  private fill = 0;

  private constructor(private readonly put: (chunk: Uint8Array) => Promise<void>) {}

  static toFile(handle: FileHandle): OutputSink {
    return new OutputSink(async (chunk) => {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    });
  }

  /** A Node Writable; its 'drain' is awaited whenever it asks for a pause. */
  static toStream(stream: Writable): OutputSink {
    return new OutputSink(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (stream.destroyed || stream.writableEnded) {
            reject(new AppvError(ErrorCode.IO_WRITE_FAILED, 'The output stream is closed'));
            return;
          }
          const onError = (error: Error) => {
            stream.off('drain', onDrain);
            reject(error);
          };
          const onDrain = () => {
            stream.off('error', onError);
            resolve();
          };
          // Copy: the gathering buffer and the writer's job buffers are reused once this resolves, and a
          // stream may still hold the chunk in its queue.
          if (stream.write(Buffer.from(chunk))) {
            resolve();
          } else {
            stream.once('drain', onDrain);
            stream.once('error', onError);
          }
        }),
    );
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.position += chunk.length;
    if (chunk.length < GATHER_BELOW) {
      if (this.fill + chunk.length > this.gathered.length) await this.flush();
      this.gathered.set(chunk, this.fill);
      this.fill += chunk.length;
      return;
    }
    await this.flush();
    await this.send(chunk);
  }

  async flush(): Promise<void> {
    if (this.fill === 0) return;
    const gathered = this.gathered.subarray(0, this.fill);
    this.fill = 0;
    await this.send(gathered);
  }

  private async send(chunk: Uint8Array): Promise<void> {
    try {
      await this.put(chunk);
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_WRITE_FAILED, { offset: this.position });
    }
  }
}
