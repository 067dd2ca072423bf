import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { AppvError, ErrorCode, isAppvError } from '../errors.js';
import { describeError } from '../system-error.js';

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

  private constructor(
    private readonly put: (chunk: Uint8Array) => Promise<void>,
    /** What the bytes go to, for the error message: the package's path, or "the output stream". */
    private readonly name: string,
    /** `name` is a path on disk (the error's `file`). */
    private readonly isFile: boolean,
    /**
     * Removes what the sink listens to on its destination: at once, or (`whenClosed`) once the stream has
     * closed, for a writer done with it.
     */
    readonly detach: (whenClosed?: boolean) => void = () => {},
  ) {}

  /** Who hears the destination fail between writes (the writer, which then fails at once). */
  onFailure: ((error: AppvError) => void) | null = null;

  static toFile(handle: FileHandle, name: string): OutputSink {
    return new OutputSink(
      async (chunk) => {
        let done = 0;
        while (done < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
          done += bytesWritten;
        }
      },
      name,
      true,
    );
  }

  /**
   * A Node Writable; its 'drain' is awaited whenever it asks for a pause. A stream closed meanwhile (its
   * client went away, or the writer destroyed it on an abort) ends the wait with an error: it would never
   * drain, and the writer waited forever (found by review).
   *
   * The stream's 'error' is listened to for as long as the writer uses it, not only while a write waits: a
   * destination that fails between writes, after `write` had said yes, emitted an 'error' no one heard,
   * which ended the process when the caller had no listener of its own, and the next write then reported
   * the stream closed without saying why (found by review). That error now fails the writer at once
   * (`onFailure`) and is the failure's cause. The writer detaches once the stream has closed: a stream
   * destroyed on a failure may still report an error of its own teardown.
   */
  static toStream(stream: Writable): OutputSink {
    let failure: Error | null = null;
    const onStreamError = (error: Error) => {
      failure ??= error;
      sink.onFailure?.(sink.failed(error));
    };
    stream.on('error', onStreamError);
    const detach = (whenClosed = false) => {
      if (!whenClosed || stream.closed) stream.off('error', onStreamError);
      else stream.once('close', () => stream.off('error', onStreamError));
    };
    const sink: OutputSink = new OutputSink(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (stream.destroyed || stream.writableEnded) {
            reject(closedStream(stream.errored ?? failure));
            return;
          }
          const settle = (error?: Error) => {
            stream.off('drain', onDrain);
            stream.off('error', onError);
            stream.off('close', onClose);
            if (error) reject(error);
            else resolve();
          };
          const onDrain = () => settle();
          const onError = (error: Error) => settle(error);
          const onClose = () => settle(closedStream(stream.errored ?? failure));
          // Copy: the gathering buffer and the writer's job buffers are reused once this resolves, and a
          // stream may still hold the chunk in its queue.
          if (stream.write(Buffer.from(chunk))) {
            resolve();
          } else {
            stream.once('drain', onDrain);
            stream.once('error', onError);
            stream.once('close', onClose);
          }
        }),
      'the output stream',
      false,
      detach,
    );
    return sink;
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
      throw this.failed(error);
    }
  }

  /** A failure to write, named: "ENOSPC: no space left on device, write" alone did not say which file (found by review). */
  private failed(error: unknown): AppvError {
    if (isAppvError(error)) return error;
    return new AppvError(ErrorCode.IO_WRITE_FAILED, `Cannot write ${this.name}: ${describeError(error)}`, {
      ...(this.isFile ? { file: this.name } : {}),
      offset: this.position,
      cause: error,
    });
  }
}

function closedStream(cause: Error | null): AppvError {
  const why = cause === null ? '' : `: ${describeError(cause)}`;
  return new AppvError(
    ErrorCode.IO_WRITE_FAILED,
    `The output stream was closed before the package was written${why}`,
    cause === null ? {} : { cause },
  );
}
