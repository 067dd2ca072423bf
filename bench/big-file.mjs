// The single big file: the set's files concatenated, over and over, until it is BENCH_BIG_MB long (default
// 2458 MB = 2.4 GiB, past 2^31 bytes). Real data, so it compresses like the set, and reproducible: the same
// listing gives the same bytes. It lies alone in a folder, since `appv pack` packs a folder.
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSize, readManifest, setPaths } from './dataset.mjs';
import { MiB } from './units.mjs';

const MANIFEST_VERSION = 1;
export const DEFAULT_BIG_MB = 2458;

function writeBig(list, path, bytes) {
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    while (written < bytes) {
      for (const f of list) {
        const data = readFileSync(f.path);
        const n = Math.min(data.length, bytes - written);
        for (let at = 0; at < n; ) at += writeSync(fd, data, at, n - at);
        written += n;
        if (written === bytes) break;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Returns `{ dir, file, bytes, reused }`; builds the file when missing or made from another listing. */
export async function ensureBigFile(set, setMB, bigMB, log) {
  const { bigDir: dir } = setPaths(setMB);
  const file = join(dir, 'big.bin');
  const manifestPath = `${dir}.json`;
  const bytes = bigMB * MiB;
  const manifest = readManifest(manifestPath);
  const current = manifest?.version === MANIFEST_VERSION && manifest.listHash === set.listHash;
  if (current && manifest.bytes === bytes && (await fileSize(file)) === bytes) {
    return { dir, file, bytes, reused: true };
  }
  log(`writing ${file} (${bigMB} MB from the set's files, repeated)...`);
  // Written beside the folder, not in it: whatever is in the folder gets packed.
  const partial = `${dir}.partial`;
  try {
    writeBig(set.list, partial, bytes);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  rmSync(dir, { recursive: true, force: true });
  await mkdir(dir);
  renameSync(partial, file);
  await writeFile(
    manifestPath,
    `${JSON.stringify({ version: MANIFEST_VERSION, listHash: set.listHash, bytes }, null, 2)}\n`,
  );
  return { dir, file, bytes, reused: false };
}
