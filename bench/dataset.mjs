// Builds (or reuses) the bench's test set: real files from this machine, written as one plain ZIP by yazl.
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  createWriteStream,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { BLOCK, MiB } from './units.mjs';

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '.data');
const MANIFEST_VERSION = 1;
/** One huge library would dominate the set; App-V packages are many files of ordinary sizes. */
const MAX_FILE_BYTES = 16 * MiB;
/** Fixed metadata so the same inputs give byte-identical ZIPs. */
const FIXED_MTIME = new Date(Date.UTC(2020, 0, 1));
const FIXED_MODE = 0o100644;
/** FORMAT.md §8: characters that OPC part names carry percent-encoded (upper-case hex). */
const PERCENT_ENCODED = new Set(" !#$%&'()+,;=@[]^`{}");
/** Not allowed in an OPC part name (nor a Windows file name): such files are skipped. */
const REJECTED_CHARS = new Set('"*:<>?\\|');
const rejected = (segment) =>
  [...segment].some((ch) => REJECTED_CHARS.has(ch) || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
export const DEFAULT_SET_MB = 420;

/** Where to look, in order: Node's own install first, then the usual shared trees. */
function roots() {
  const prefix = dirname(dirname(process.execPath));
  const list = [
    join(prefix, 'lib', 'node_modules'),
    join(prefix, 'include', 'node'),
    '/usr/lib',
    '/usr/share',
  ];
  return [...new Set(list)];
}

/** The ZIP item name of a file, encoded the OPC way, or null when the path cannot be a part name. */
function itemName(path) {
  const segments = path.replace(/^\/+/, '').split('/');
  const out = [];
  for (const segment of segments) {
    if (segment === '' || segment.endsWith('.') || rejected(segment)) return null;
    let encoded = '';
    for (const byte of Buffer.from(segment, 'utf8')) {
      const ch = String.fromCharCode(byte);
      encoded +=
        byte >= 0x80 || PERCENT_ENCODED.has(ch) ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : ch;
    }
    out.push(encoded);
  }
  return out.join('/');
}

/**
 * Lists regular, readable files depth-first in byte order of names until `targetBytes` are gathered.
 * Symlinks are not followed (no cycles, no duplicates); hard links and files seen under two roots are
 * taken once; names that would collide case-insensitively (OPC compares them so) are taken once.
 */
export function walk(targetBytes) {
  const files = [];
  const seenInodes = new Set();
  const seenNames = new Set();
  let bytes = 0;
  const visit = (dir) => {
    let names;
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      if (bytes >= targetBytes) return;
      const path = join(dir, name);
      let st;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        visit(path);
        continue;
      }
      if (!st.isFile() || st.size > MAX_FILE_BYTES) continue;
      const inode = `${st.dev}:${st.ino}`;
      if (seenInodes.has(inode)) continue;
      const item = itemName(path);
      if (item === null || seenNames.has(item.toLowerCase())) continue;
      try {
        accessSync(path, constants.R_OK);
      } catch {
        continue;
      }
      seenInodes.add(inode);
      seenNames.add(item.toLowerCase());
      files.push({ path, item, size: st.size });
      bytes += st.size;
    }
  };
  for (const root of roots()) {
    if (bytes >= targetBytes) break;
    visit(root);
  }
  const listHash = createHash('sha256');
  const smallBytes = files.reduce((sum, f) => sum + (f.size < BLOCK ? f.size : 0), 0);
  for (const f of files) listHash.update(`${f.item}\0${f.size}\n`);
  return { files, bytes, smallBytes, listHash: listHash.digest('hex') };
}

/** Writes `files` ({ path, item }) as a ZIP with yazl at deflate level 6 (its default), fixed mtime and mode. */
export function writeZip(files, zipPath) {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    const out = createWriteStream(zipPath);
    zip.on('error', reject);
    out.on('error', reject);
    out.on('close', resolve);
    zip.outputStream.pipe(out);
    // addFile opens each file only when its turn comes, so thousands of entries do not exhaust descriptors.
    for (const f of files)
      zip.addFile(f.path, f.item, { compress: true, mtime: FIXED_MTIME, mode: FIXED_MODE });
    zip.end();
  });
}

/** A file's size, -1 when it is not there. */
export const fileSize = (path) =>
  stat(path).then(
    (s) => s.size,
    () => -1,
  );

export function readManifest(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Where everything derived from a set of `setMB` lives: the default size under `.data/set*`, other sizes
 * under `.data/set-<MB>mb*`, so quick runs do not evict the full set.
 */
export function setPaths(setMB) {
  const base = join(DATA_DIR, setMB === DEFAULT_SET_MB ? 'set' : `set-${setMB}mb`);
  return {
    zipPath: `${base}.zip`,
    manifestPath: `${base}.json`,
    /** The set as a folder (set-dir.mjs), what the pack contenders read. */
    dirPath: `${base}-dir`,
    /** The single big file (big-file.mjs), in a folder of its own since `appv pack` packs a folder. */
    bigDir: `${base}-big`,
    /** Scratch space for what the pack contenders write; on the same disk, not in a tmpfs. */
    outDir: `${base}-out`,
  };
}

/**
 * Returns `{ zipPath, list, files, inputBytes, zipBytes, buildSeconds, reused }`, `list` being the set's
 * files as listed now (`{ path, item, size }`, in ZIP order).
 */
export async function ensureDataSet(setMB, log) {
  await mkdir(DATA_DIR, { recursive: true });
  const { zipPath, manifestPath } = setPaths(setMB);
  const listing = walk(setMB * MiB);
  const manifest = readManifest(manifestPath);
  const zipBytes = await fileSize(zipPath);
  if (
    manifest?.version === MANIFEST_VERSION &&
    manifest.files === listing.files.length &&
    manifest.inputBytes === listing.bytes &&
    manifest.listHash === listing.listHash &&
    manifest.zipBytes === zipBytes
  ) {
    return { ...manifest, zipPath, list: listing.files, reused: true };
  }
  log(`building ${zipPath} from ${listing.files.length} files (${(listing.bytes / MiB).toFixed(0)} MB)...`);
  const started = process.hrtime.bigint();
  const partial = `${zipPath}.partial`;
  try {
    await writeZip(listing.files, partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, zipPath);
  const built = {
    version: MANIFEST_VERSION,
    files: listing.files.length,
    inputBytes: listing.bytes,
    /** Share of the input held in files smaller than one block (per-entry overhead dominates there). */
    smallFileBytes: listing.smallBytes,
    largestFile: listing.files.reduce((max, f) => Math.max(max, f.size), 0),
    listHash: listing.listHash,
    zipBytes: (await stat(zipPath)).size,
    buildSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    roots: roots(),
  };
  await writeFile(manifestPath, `${JSON.stringify(built, null, 2)}\n`);
  return { ...built, zipPath, list: listing.files, reused: false };
}
