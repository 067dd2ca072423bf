import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AppvError,
  abortError,
  ErrorCode,
  forgetTemporary,
  isAppvError,
  placeWithoutReplacing,
  placeWithoutReplacingSync,
  removeTemporary,
  temporaryPathFor,
  trackTemporary,
} from '@appv/opc';
import { lstatOrNull } from './directory-guard.js';
import { writeError } from './write-error.js';

export interface AtomicWriteOptions {
  readonly overwrite: boolean;
  readonly signal?: AbortSignal;
  /** Called with each chunk's length as it is written. */
  readonly onBytes?: (length: number) => void;
}

/**
 * Streams the source `openSource` opens into `target` so that `target` only ever holds complete, verified
 * content: the bytes go to a temporary file in the same directory (same file system, so the rename is
 * atomic), which is renamed only after the source ended cleanly (for a package part: CRC and size checked)
 * and removed on any failure. The temporary file is created with O_EXCL, so a link planted under its name is
 * never followed.
 *
 * The source is opened only once the temporary file exists and is tracked, and handed to `pipeline` at
 * once: a part stream opened with the caller's signal errors as soon as it fires, and one opened before the
 * `await open` had no listener then, so an abort in that gap was an unhandled 'error' that crashed the
 * process and left the temporary file (found by review).
 */
export async function writeFileAtomically(
  openSource: () => Readable,
  target: string,
  name: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const temporary = temporaryPathFor(target);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temporary, 'wx', 0o644);
  } catch (error) {
    throw writeError(error, temporary, name);
  }
  trackTemporary(temporary);
  try {
    await pipeline(openSource(), countBytes(options.onBytes), handle.createWriteStream(), {
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.overwrite) await rename(temporary, target);
    else if ((await placeWithoutReplacing(temporary, target)) === 'exists') throw targetExists(target, name);
    forgetTemporary(temporary);
  } catch (error) {
    await handle.close().catch(() => undefined);
    // The failure to report is the write's: one of the clean-up would only hide it.
    await removeTemporary(temporary);
    if (options.signal?.aborted) throw abortError(options.signal);
    if (isAppvError(error)) throw error;
    throw writeError(error, target, name);
  }
}

function countBytes(onBytes: ((length: number) => void) | undefined) {
  return async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      onBytes?.(chunk.length);
      yield chunk;
    }
  };
}

/**
 * `writeFileAtomically` for content already in memory (a small part, read and checked whole): the same
 * temporary file, checks and rename, through synchronous calls. For thousands of small files the thread
 * pool's hand-offs, not the bytes, were most of an extraction's time (directory-guard.ts says why).
 */
export function writeBufferAtomically(
  content: Uint8Array,
  target: string,
  name: string,
  options: { readonly overwrite: boolean },
): void {
  const temporary = temporaryPathFor(target);
  let fd: number;
  try {
    fd = openSync(temporary, 'wx', 0o644);
  } catch (error) {
    throw writeError(error, temporary, name);
  }
  try {
    try {
      for (let done = 0; done < content.length; ) done += writeSync(fd, content, done, content.length - done);
    } finally {
      closeSync(fd);
    }
    if (options.overwrite) renameSync(temporary, target);
    else if (placeWithoutReplacingSync(temporary, target) === 'exists') throw targetExists(target, name);
  } catch (error) {
    removeQuietly(temporary);
    if (isAppvError(error)) throw error;
    throw writeError(error, target, name);
  }
}

/**
 * Without `overwrite`, an existing file is refused: checked for every file before the first write, and
 * again as each file is put in place, atomically (placeWithoutReplacing: something may have appeared
 * meanwhile, another extraction's file among them). A directory where a file goes is refused even with
 * `overwrite`, which replaces files only: it was found after the files before it had been written, and the
 * message suggested --overwrite, which did not help (found by review).
 */
export function assertAbsent(target: string, name: string, overwrite: boolean): void {
  const existing = lstatOrNull(target, name);
  if (existing?.isDirectory()) {
    throw new AppvError(
      ErrorCode.IO_TARGET_EXISTS,
      `Cannot extract ${name}: ${target} is a directory, which extraction never replaces`,
      { part: name, file: target },
    );
  }
  if (existing !== null && !overwrite) throw targetExists(target, name);
}

function targetExists(target: string, name: string): AppvError {
  return new AppvError(
    ErrorCode.IO_TARGET_EXISTS,
    `Cannot extract ${name}: ${target} already exists (the overwrite option replaces it)`,
    { part: name, file: target },
  );
}

/** Clean-up after a failed write: the failure to report is the write's, which one of the removal would hide. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Left behind: a hidden `.…appv-tmp-…` name, never the final one.
  }
}
