import { lstatSync, mkdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { AppvError, DIRECTORIES_REMEMBERED, ErrorCode, quoted, toAppvError } from '@appv/opc';
import { isStrictlyInside } from './safe-path.js';
import { writeError } from './write-error.js';

/**
 * Creates the directories of an extraction one level at a time, never through a symbolic link that leads
 * out of the target. `mkdir -p` would follow a planted `target/Root -> /etc` and create `/etc/VFS` before
 * any check could run, so each level is inspected before the next one is made, and the real path of every
 * directory we are about to write into must lie inside the real path of the target.
 *
 * A directory made here, or a real one found there, lies where its parent's real path says: only a link
 * is resolved (realpath costs a stat per level). What was checked is remembered with its identity (device
 * and inode), and each use of a directory first checks that its path still leads there: a directory, or
 * any above it, swapped for a link since would lead somewhere else. On Windows every directory is resolved
 * (a volume mount point does not read as a link there). A local attacker racing the extraction between
 * that check and a write can still win; extract into a directory only you can write to.
 *
 * The calls are synchronous on purpose, as in the pack's source scan: each takes a few microseconds, while
 * a trip through libuv's thread pool costs ~150 µs here, and an extraction makes thousands of them.
 *
 * Only the DIRECTORIES_REMEMBERED most recently used directories are remembered (two path strings each): a
 * package of 1,024-level names holds a million directories of kilobyte paths, which a guard remembering
 * them all kept in a gigabyte of heap. A forgotten directory is checked again, as on first use.
 */
export class DirectoryGuard {
  /** Directories made sure of, least recently used first: real path and identity when checked. */
  private readonly known = new Map<string, Checked>();
  private readonly root: { readonly path: string; readonly checked: Checked };
  /** Directories this guard created (not those that already existed). */
  created = 0;

  private constructor(
    private readonly realRoot: string,
    root: string,
    rootStats: Stats,
  ) {
    this.root = { path: root, checked: { real: realRoot, dev: rootStats.dev, ino: rootStats.ino } };
  }

  /** How many directories are remembered now, the root aside. */
  get remembered(): number {
    return this.known.size;
  }

  /** `root` must be absolute and exist. */
  static async forRoot(root: string): Promise<DirectoryGuard> {
    try {
      return new DirectoryGuard(realpathSync(root), root, statSync(root));
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_WRITE_FAILED);
    }
  }

  /** Makes sure `directory` (root itself or inside it) exists as a real directory inside the target. */
  ensure(directory: string, name: string): void {
    const known = this.recall(directory);
    if (known) {
      this.assertUnchanged(directory, known, name);
      return;
    }
    const parent = path.dirname(directory);
    this.ensure(parent, name);
    const parentReal = (this.recall(parent) as Checked).real;
    let existing = lstatOrNull(directory, name);
    if (existing === null) {
      try {
        mkdirSync(directory);
        this.created++;
      } catch (error) {
        // Lost a race with another writer: check what is there now.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(error, directory, name);
      }
      existing = lstatOrNull(directory, name);
      if (existing === null) throw writeError(new Error('it vanished as it was made'), directory, name);
    }
    let real: string;
    if (existing.isSymbolicLink() || process.platform === 'win32') {
      real = this.resolve(directory, name);
    } else if (existing.isDirectory()) {
      real = path.join(parentReal, path.basename(directory));
    } else {
      throw new AppvError(
        ErrorCode.IO_WRITE_FAILED,
        `Cannot extract ${name}: ${directory} exists and is not a directory`,
        { part: name, file: directory },
      );
    }
    this.assertInside(directory, real, name);
    // A link is known by what it leads to: that is what the next check will find through it.
    const target = existing.isSymbolicLink() ? lstatOrNull(real, name) : existing;
    if (!target?.isDirectory()) {
      throw new AppvError(
        ErrorCode.IO_WRITE_FAILED,
        `Cannot extract ${name}: ${directory} is not a directory`,
        {
          part: name,
          file: directory,
        },
      );
    }
    this.remember(directory, { real, dev: target.dev, ino: target.ino });
  }

  /** What was checked of `directory`, now the most recently used; the root is never forgotten. */
  private recall(directory: string): Checked | undefined {
    if (directory === this.root.path) return this.root.checked;
    const checked = this.known.get(directory);
    if (checked) {
      this.known.delete(directory);
      this.known.set(directory, checked);
    }
    return checked;
  }

  private remember(directory: string, checked: Checked): void {
    this.known.set(directory, checked);
    if (this.known.size > DIRECTORIES_REMEMBERED) {
      this.known.delete(this.known.keys().next().value as string);
    }
  }

  private resolve(directory: string, name: string): string {
    try {
      return realpathSync(directory);
    } catch (error) {
      throw writeError(error, directory, name);
    }
  }

  private assertInside(directory: string, real: string, name: string): void {
    if (!isStrictlyInside(this.realRoot, real)) {
      throw new AppvError(
        ErrorCode.EXTRACT_PATH_UNSAFE,
        `Refusing to extract ${quoted(name)}: ${directory} leads outside the target directory (a symbolic link?)`,
        { part: name, file: directory },
      );
    }
  }

  /** The path still leads to the directory checked (through whatever links it did then). */
  private assertUnchanged(directory: string, known: Checked, name: string): void {
    let now: Stats | undefined;
    try {
      now = statSync(directory, { throwIfNoEntry: false });
    } catch (error) {
      throw writeError(error, directory, name);
    }
    if (now?.dev !== known.dev || now.ino !== known.ino || !now.isDirectory()) {
      throw new AppvError(
        ErrorCode.EXTRACT_PATH_UNSAFE,
        `Refusing to extract ${quoted(name)}: ${directory} was replaced while extracting (a symbolic link?)`,
        { part: name, file: directory },
      );
    }
  }
}

interface Checked {
  readonly real: string;
  readonly dev: number;
  readonly ino: number;
}

/** What is at `file`, or null when nothing is (asked without an exception: most targets do not exist yet). */
export function lstatOrNull(file: string, name: string) {
  try {
    return lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch (error) {
    throw writeError(error, file, name);
  }
}
