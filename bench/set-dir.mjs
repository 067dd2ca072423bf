// The test set as a folder on disk, what `appv pack`, `zip -r` and yazl pack from: every file of the set
// copied to `<set>-dir/` at its item name decoded back to a real path (`usr/share/doc/...`).
import { copyFileSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readManifest, setPaths } from './dataset.mjs';

const MANIFEST_VERSION = 1;

/**
 * Every regular file below `dir`, depth-first in byte order of names: `{ path, item, size }` with `item`
 * the path relative to `dir` with `/` separators.
 */
export function listDir(dir) {
  const files = [];
  const visit = (folder, prefix) => {
    const names = readdirSync(folder).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const path = join(folder, name);
      const st = lstatSync(path);
      if (st.isDirectory()) visit(path, `${prefix}${name}/`);
      else if (st.isFile()) files.push({ path, item: `${prefix}${name}`, size: st.size });
    }
  };
  visit(dir, '');
  return files;
}

/** The real relative path of an item name: each segment percent-decoded (dataset.mjs encodes them). */
const realPath = (item) => join(...item.split('/').map(decodeURIComponent));

function copySet(list, dir) {
  const made = new Set();
  for (const f of list) {
    const target = join(dir, realPath(f.item));
    const parent = dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    copyFileSync(f.path, target);
  }
}

/**
 * Returns `{ dir, reused, copySeconds }`. Reuses the folder when its manifest names the same listing as the
 * set and the folder still holds exactly as many files and bytes; otherwise copies the set anew (into a
 * `.partial` folder renamed at the end, so an interrupted copy is never taken for a complete one).
 */
export async function ensureSetDir(set, setMB, log) {
  const { dirPath: dir } = setPaths(setMB);
  const manifestPath = `${dir}.json`;
  const manifest = readManifest(manifestPath);
  if (manifest?.version === MANIFEST_VERSION && manifest.listHash === set.listHash) {
    const found = (() => {
      try {
        return listDir(dir);
      } catch {
        return [];
      }
    })();
    const bytes = found.reduce((sum, f) => sum + f.size, 0);
    if (found.length === set.files && bytes === set.inputBytes) return { dir, reused: true, ...manifest };
  }
  log(`copying the set to ${dir} (${set.files} files)...`);
  const started = process.hrtime.bigint();
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  copySet(set.list, partial);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  const built = {
    version: MANIFEST_VERSION,
    listHash: set.listHash,
    copySeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
  await writeFile(manifestPath, `${JSON.stringify(built, null, 2)}\n`);
  return { dir, reused: false, ...built };
}
