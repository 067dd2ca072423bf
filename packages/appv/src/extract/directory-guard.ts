import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppvError, ErrorCode, toAppvError } from '@appv/opc';
import { isStrictlyInside } from './safe-path.js';
import { writeError } from './write-error.js';

/**
 * Creates the directories of an extraction one level at a time, never through a symbolic link that leads
 * out of the target. `mkdir -p` would follow a planted `target/Root -> /etc` and create `/etc/VFS` before
 * any check could run, so each level is inspected before the next one is made, and the real path of every
 * directory we are about to write into must lie inside the real path of the target.
 */
export class DirectoryGuard {
  private readonly ensured = new Set<string>();
  /** Directories this guard created (not those that already existed). */
  created = 0;

  private constructor(
    private readonly root: string,
    private readonly realRoot: string,
  ) {}

  /** `root` must be absolute and exist. */
  static async forRoot(root: string): Promise<DirectoryGuard> {
    try {
      return new DirectoryGuard(root, await realpath(root));
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_WRITE_FAILED);
    }
  }

  /** Makes sure `directory` (root itself or inside it) exists as a real directory inside the target. */
  async ensure(directory: string, name: string): Promise<void> {
    if (directory === this.root || this.ensured.has(directory)) return;
    await this.ensure(path.dirname(directory), name);
    const existing = await lstatOrNull(directory, name);
    if (existing === null) {
      try {
        await mkdir(directory);
        this.created++;
      } catch (error) {
        // Lost a race with another writer: fall through to the check of what is there now.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(error, directory, name);
      }
    } else if (!existing.isDirectory() && !existing.isSymbolicLink()) {
      throw new AppvError(
        ErrorCode.IO_WRITE_FAILED,
        `Cannot extract ${name}: ${directory} exists and is not a directory`,
        {
          part: name,
        },
      );
    }
    await this.assertInside(directory, name);
    this.ensured.add(directory);
  }

  private async assertInside(directory: string, name: string): Promise<void> {
    let real: string;
    try {
      real = await realpath(directory);
    } catch (error) {
      throw writeError(error, directory, name);
    }
    if (!isStrictlyInside(this.realRoot, real)) {
      throw new AppvError(
        ErrorCode.EXTRACT_PATH_UNSAFE,
        `Refusing to extract ${JSON.stringify(name)}: ${directory} leads outside the target directory (a symbolic link?)`,
        { part: name },
      );
    }
    const stats = await lstatOrNull(real, name);
    if (!stats?.isDirectory()) {
      throw new AppvError(
        ErrorCode.IO_WRITE_FAILED,
        `Cannot extract ${name}: ${directory} is not a directory`,
        {
          part: name,
        },
      );
    }
  }
}

export async function lstatOrNull(file: string, name: string) {
  try {
    return await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw writeError(error, file, name);
  }
}
