import { randomBytes } from 'node:crypto';
import { type FileHandle, lstat, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppvError, ErrorCode, throwIfAborted, toAppvError } from '../errors.js';

/**
 * A file that appears under its final name complete or not at all (DEVELOPERS.md: a crash never leaves a
 * half package under the final name). Bytes go to a temporary file in the same directory, so the final
 * rename stays on one file system and is atomic; `commit` syncs and renames, `discard` removes. The
 * temporary file is created with O_EXCL, so a link planted under its name is never followed.
 */
export class AtomicFile {
  private settled = false;

  private constructor(
    readonly handle: FileHandle,
    readonly temporary: string,
    readonly target: string,
    private readonly overwrite: boolean,
  ) {}

  static async create(target: string, options: { overwrite?: boolean } = {}): Promise<AtomicFile> {
    const overwrite = options.overwrite ?? true;
    if (!overwrite) await refuseExisting(target);
    const temporary = temporaryPathFor(target);
    try {
      return new AtomicFile(await open(temporary, 'wx', 0o644), temporary, target, overwrite);
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_WRITE_FAILED, { part: target });
    }
  }

  /**
   * Syncs and renames into place. `signal` is heard up to the rename, the last moment an abort can still
   * leave nothing under the final name (an abort during the sync was let through; found by review).
   */
  async commit(signal?: AbortSignal): Promise<void> {
    this.settled = true;
    try {
      await this.handle.sync();
      await this.handle.close();
      throwIfAborted(signal);
      if (!this.overwrite) await refuseExisting(this.target);
      await rename(this.temporary, this.target);
    } catch (error) {
      await this.handle.close().catch(() => undefined);
      await removeQuietly(this.temporary);
      throw toAppvError(error, ErrorCode.IO_WRITE_FAILED, { part: this.target });
    }
  }

  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await this.handle.close().catch(() => undefined);
    await removeQuietly(this.temporary);
  }
}

/**
 * Removes a temporary file, leaving it when it cannot be removed (its folder turned read-only): the failure
 * that led here is the one to report, and a cleanup error in its place crashed the CLI or hid the real
 * cause (found by review).
 */
async function removeQuietly(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => undefined);
}

/** Characters of the target's name kept in its temporary name. */
const KEPT_NAME_CHARACTERS = 64;
const RANDOM_BYTES = 6;
const TEMPORARY_SUFFIX = '.appv-tmp-';

/**
 * The most a temporary path is longer than its target's, in bytes: the dot, the suffix and the random digits
 * (the name kept is a prefix of the target's). A caller that bounds target paths (extraction's PATH_MAX
 * check) adds this, or a name it accepted could fail only when written.
 */
export const TEMPORARY_PATH_EXTRA_BYTES = 1 + TEMPORARY_SUFFIX.length + 2 * RANDOM_BYTES;

/**
 * `.<name>.appv-tmp-<random>` beside `target`: hidden, recognisably ours, unique and unguessable (so nobody
 * can plant the name first to make the write fail; O_EXCL makes a planted one harmless either way); the
 * name is cut (never inside a surrogate pair) so the total stays short.
 */
export function temporaryPathFor(target: string): string {
  const base = path.basename(target);
  let kept = Math.min(base.length, KEPT_NAME_CHARACTERS);
  if (isHighSurrogate(base.charCodeAt(kept - 1)) && kept < base.length) kept--;
  return path.join(
    path.dirname(target),
    `.${base.slice(0, kept)}${TEMPORARY_SUFFIX}${randomHex(RANDOM_BYTES)}`,
  );
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Random bytes are drawn a thousand names at a time: a call per name cost more than a small file's write. */
let randomPool = Buffer.alloc(0);
let randomAt = 0;

function randomHex(bytes: number): string {
  if (randomAt + bytes > randomPool.length) {
    randomPool = randomBytes(1024 * bytes);
    randomAt = 0;
  }
  randomAt += bytes;
  return randomPool.toString('hex', randomAt - bytes, randomAt);
}

/**
 * IO_WRITE_FAILED, before anything is written, when a file cannot go to `target`: its folder does not exist
 * (or is no folder), or a directory is in its place. Found only at the final rename otherwise, after the
 * whole package was written, with the temporary file's name in the message.
 */
export async function checkOutputTarget(target: string): Promise<void> {
  const folder = path.dirname(path.resolve(target));
  const folderInfo = await stat(folder).catch(() => null);
  if (!folderInfo?.isDirectory()) {
    throw new AppvError(
      ErrorCode.IO_WRITE_FAILED,
      `Cannot write ${target}: the folder ${folder} does not exist`,
      {
        part: target,
      },
    );
  }
  const targetInfo = await stat(target).catch(() => null);
  if (targetInfo?.isDirectory()) {
    throw new AppvError(ErrorCode.IO_WRITE_FAILED, `Cannot write ${target}: it is a directory`, {
      part: target,
    });
  }
}

/** IO_WRITE_FAILED when something is at `target`: what `overwrite: false` means, for one file or several. */
export async function refuseExisting(target: string): Promise<void> {
  const exists = await lstat(target).then(
    () => true,
    () => false,
  );
  if (exists) {
    throw new AppvError(
      ErrorCode.IO_WRITE_FAILED,
      `${target} already exists (overwrite: true, or --overwrite, replaces it)`,
      {
        part: target,
      },
    );
  }
}
