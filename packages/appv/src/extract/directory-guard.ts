import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { AppvError, ErrorCode, toAppvError } from '@appv/opc';
import { isStrictlyInside } from './safe-path.js';
import { writeError } from './write-error.js';

/**
 * Creates the directories of an extraction one level at a time, never through a symbolic link that leads
 * out of the target. `mkdir -p` would follow a planted `target/Root -> /etc` and create `/etc/VFS` before
 * any check could run, so each level is inspected before the next one is made, and the real path of every
 * directory we are about to write into must lie inside the real path of the target.
 *
 * The calls are synchronous on purpose, as in the pack's source scan: each takes a few microseconds, while
 * a trip through libuv's thread pool costs ~150 µs here, and an extraction makes thousands of them.
 */
export class DirectoryGuard {
  /** The real path of every directory made sure of, the root's included. */
  private readonly real = new Map<string, string>();
  /** Directories this guard created (not those that already existed). */
  created = 0;

  private constructor(
    root: string,
    private readonly realRoot: string,
  ) {
    this.real.set(root, realRoot);
  }

  /** `root` must be absolute and exist. */
  static async forRoot(root: string): Promise<DirectoryGuard> {
    try {
      return new DirectoryGuard(root, realpathSync(root));
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_WRITE_FAILED);
    }
  }

  /** Makes sure `directory` (root itself or inside it) exists as a real directory inside the target. */
  ensure(directory: string, name: string): void {
    if (this.real.has(directory)) return;
    const parent = path.dirname(directory);
    this.ensure(parent, name);
    let existing = lstatOrNull(directory, name);
    if (existing === null) {
      try {
        mkdirSync(directory);
        this.created++;
      } catch (error) {
        // Lost a race with another writer: check what is there now.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(error, directory, name);
        existing = lstatOrNull(directory, name);
        if (existing === null) throw writeError(error, directory, name);
      }
    }
    // A directory made here, or a real one already there, lies where its parent's real path says: only a
    // link needs resolving (it may lead anywhere). That spares a realpath, a stat per level, per directory.
    let real: string;
    if (existing === null || existing.isDirectory()) {
      real = path.join(this.real.get(parent) as string, path.basename(directory));
    } else if (existing.isSymbolicLink()) {
      real = this.resolveLink(directory, name);
    } else {
      throw new AppvError(
        ErrorCode.IO_WRITE_FAILED,
        `Cannot extract ${name}: ${directory} exists and is not a directory`,
        { part: name },
      );
    }
    if (!isStrictlyInside(this.realRoot, real)) {
      throw new AppvError(
        ErrorCode.EXTRACT_PATH_UNSAFE,
        `Refusing to extract ${JSON.stringify(name)}: ${directory} leads outside the target directory (a symbolic link?)`,
        { part: name },
      );
    }
    this.real.set(directory, real);
  }

  /** Where a link to a directory leads; it must be a directory. */
  private resolveLink(directory: string, name: string): string {
    let real: string;
    try {
      real = realpathSync(directory);
    } catch (error) {
      throw writeError(error, directory, name);
    }
    if (!lstatOrNull(real, name)?.isDirectory()) {
      throw new AppvError(
        ErrorCode.IO_WRITE_FAILED,
        `Cannot extract ${name}: ${directory} is not a directory`,
        {
          part: name,
        },
      );
    }
    return real;
  }
}

/** What is at `file`, or null when nothing is (asked without an exception: most targets do not exist yet). */
export function lstatOrNull(file: string, name: string) {
  try {
    return lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch (error) {
    throw writeError(error, file, name);
  }
}
