import { linkSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppvError, ErrorCode, isAppvError, throwIfAborted } from '../errors.js';
import { checkPathArgument } from '../option-keys.js';
import { describeError, errorPath } from '../system-error.js';
import { forgetTemporary, removeTemporary, temporaryPathFor, trackTemporary } from './temporary-files.js';

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
      const handle = await open(temporary, 'wx', 0o644);
      trackTemporary(temporary);
      return new AtomicFile(handle, temporary, target, overwrite);
    } catch (error) {
      throw writeFailure(error, target, temporary);
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
      if (this.overwrite) await rename(this.temporary, this.target);
      else if ((await placeWithoutReplacing(this.temporary, this.target)) === 'exists')
        throw targetExists(this.target);
      forgetTemporary(this.temporary);
    } catch (error) {
      await this.handle.close().catch(() => undefined);
      await removeTemporary(this.temporary);
      throw writeFailure(error, this.target, this.temporary);
    }
  }

  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await this.handle.close().catch(() => undefined);
    await removeTemporary(this.temporary);
  }
}

/**
 * IO_WRITE_FAILED naming the file the user asked for: Node's error names the temporary file, a name the user
 * never gave (`/proc/.x.appv.appv-tmp-…: no such file or directory`; found by review), which is kept after it.
 */
function writeFailure(error: unknown, target: string, temporary: string): AppvError {
  if (isAppvError(error)) return error;
  const about = errorPath(error) === temporary ? ` (its temporary file ${temporary})` : '';
  return new AppvError(ErrorCode.IO_WRITE_FAILED, `Cannot write ${target}: ${describeError(error)}${about}`, {
    file: target,
    cause: error,
  });
}

/**
 * IO_WRITE_FAILED, before anything is written, when a file cannot go to `target`: its folder does not exist
 * (or is no folder), or a directory is in its place. Found only at the final rename otherwise, after the
 * whole package was written, with the temporary file's name in the message.
 */
export async function checkOutputTarget(target: string): Promise<void> {
  checkPathArgument(target, 'the file to write', 'checkOutputTarget');
  const folder = path.dirname(path.resolve(target));
  const folderInfo = await stat(folder).catch(() => null);
  if (!folderInfo?.isDirectory()) {
    throw new AppvError(
      ErrorCode.IO_WRITE_FAILED,
      `Cannot write ${target}: the folder ${folder} does not exist`,
      {
        file: target,
      },
    );
  }
  const targetInfo = await stat(target).catch(() => null);
  if (targetInfo?.isDirectory()) {
    throw new AppvError(ErrorCode.IO_WRITE_FAILED, `Cannot write ${target}: it is a directory`, {
      file: target,
    });
  }
}

/** IO_TARGET_EXISTS when something is at `target`: what `overwrite: false` means, for one file or several. */
export async function refuseExisting(target: string): Promise<void> {
  const exists = await lstat(target).then(
    () => true,
    () => false,
  );
  if (exists) throw targetExists(target);
}

function targetExists(target: string): AppvError {
  return new AppvError(
    ErrorCode.IO_TARGET_EXISTS,
    `${target} already exists (the overwrite option replaces it)`,
    { file: target },
  );
}

/**
 * Errors of `link` that mean "no hard links here" (FAT, some network and FUSE file systems), where the
 * check-then-rename fallback is all there is.
 */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/** What a failed `link` says: the name is taken, or this file system has none (fall back); else it throws. */
function linkFailure(error: unknown): 'exists' | 'no hard links' {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'EEXIST') return 'exists';
  if (NO_HARD_LINKS.has(code)) return 'no hard links';
  throw error;
}

/**
 * Moves `temporary` to `target` unless something is at `target` ('exists'; `temporary` is left for the
 * caller to remove), with no moment between the check and the move: a hard link fails with EEXIST when the
 * name is taken, then the temporary name goes. A check followed by a rename let two writers with
 * `overwrite: false` both succeed, one package silently replacing the other (found by review).
 */
export async function placeWithoutReplacing(temporary: string, target: string): Promise<'placed' | 'exists'> {
  checkPathArgument(temporary, 'the temporary file', 'placeWithoutReplacing');
  try {
    await link(temporary, target);
  } catch (error) {
    if (linkFailure(error) === 'exists') return 'exists';
    const taken = await lstat(target).then(
      () => true,
      () => false,
    );
    if (taken) return 'exists';
    await rename(temporary, target);
    return 'placed';
  }
  await unlink(temporary);
  return 'placed';
}

/** placeWithoutReplacing through synchronous calls (extraction writes small files that way). */
export function placeWithoutReplacingSync(temporary: string, target: string): 'placed' | 'exists' {
  checkPathArgument(temporary, 'the temporary file', 'placeWithoutReplacingSync');
  try {
    linkSync(temporary, target);
  } catch (error) {
    if (linkFailure(error) === 'exists') return 'exists';
    if (lstatSync(target, { throwIfNoEntry: false }) !== undefined) return 'exists';
    renameSync(temporary, target);
    return 'placed';
  }
  unlinkSync(temporary);
  return 'placed';
}
