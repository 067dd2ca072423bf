import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * `mkdir -p` for the extraction target. Not Node's `mkdir(…, { recursive: true })`: where mkdir fails with
 * ENOENT under a parent that exists (procfs and sysfs: `/proc/x`), that call retries for ever (found by
 * review: `appv extract pkg -o /proc/x` hung). Here each missing folder is made once, top down, and the first
 * failure is thrown as it is.
 */
export async function makeDirectories(directory: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(directory); !(await isDirectory(at)); ) {
    missing.push(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (error) {
      // Made meanwhile by someone else: fine, if it is a folder (the next mkdir or the guard checks that).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** True for a folder, false where nothing is; a file there is thrown as ENOTDIR would be. */
async function isDirectory(at: string): Promise<boolean> {
  try {
    const info = await stat(at);
    if (info.isDirectory()) return true;
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), {
      code: 'ENOTDIR',
      path: at,
      syscall: 'mkdir',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
