import { type FilesystemMetadata, forEachPath } from '@appv/manifest';
import { MAX_PATH_DEPTH, nameKey } from '@appv/opc';

/** One way a FilesystemMetadata tree and a payload disagree. */
export interface FilesystemMismatch {
  readonly part: string;
  readonly message: string;
}

/**
 * FORMAT.md §5, §9.8: the tree names every captured file and directory; the ZIP holds the files (no
 * directory entries), EmptyDirectories the directories without files. They must describe the same payload.
 * `payload` is the BlockMap-form names of the parts under `Root\`. Used by the verifier, and by pack to
 * decide whether a kept FilesystemMetadata still fits.
 */
export function filesystemMismatches(
  metadata: FilesystemMetadata,
  payload: readonly string[],
): FilesystemMismatch[] {
  // Each payload key once, with the index of its first name; the tree walk marks the ones it names. Paths
  // are visited, not listed: for 16,000 files a list of paths, one of keys and a set of them cost ~8 MB.
  const files = new Map<string, number>();
  payload.forEach((name, i) => {
    const key = nameKey(name);
    if (!files.has(key)) files.set(key, i);
  });
  const holding = directoriesHolding(files.keys()); // directories that contain at least one payload file
  const problems: FilesystemMismatch[] = [];
  const directories = new Set<string>(['root', ...holding]);
  for (const empty of metadata.emptyDirectories) {
    const key = nameKey(empty.long);
    if (holding.has(key))
      problems.push({
        part: empty.long,
        message: `${empty.long} is listed as an empty directory but holds files`,
      });
    else if (files.has(key))
      problems.push({
        part: empty.long,
        message: `${empty.long} is listed as an empty directory but is a file of the package`,
      });
    directories.add(key);
    for (const ancestor of ancestors(key)) directories.add(ancestor);
  }
  const named = new Uint8Array(payload.length);
  const strays: FilesystemMismatch[] = [];
  forEachPath(metadata, (path) => {
    const key = nameKey(path);
    const file = files.get(key);
    if (file !== undefined) named[file] = 1;
    else if (!directories.has(key)) {
      strays.push({
        part: path,
        message: `FilesystemMetadata.xml lists ${path}, which is neither a file nor a directory of the package`,
      });
    }
  });
  for (const name of payload) {
    if (named[files.get(nameKey(name)) as number] === 0)
      problems.push({ part: name, message: `${name} is in the package but not in FilesystemMetadata.xml` });
  }
  return [...problems, ...strays];
}

/**
 * Every directory above any of `paths`. A directory already in the set has its own ancestors there too, so
 * each path is walked up only to the first one seen: a slice per file plus one per directory, not one per
 * level per file.
 */
export function directoriesHolding(paths: Iterable<string>): Set<string> {
  const holding = new Set<string>();
  const add = (directory: string): boolean => {
    if (holding.has(directory)) return false; // and so are the directories above it
    holding.add(directory);
    return true;
  };
  for (const path of paths) walkUp(path, add);
  return holding;
}

/** The directories above a path (`a\b\c` → `a\b`, `a`). */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  walkUp(path, (directory) => {
    out.push(directory);
    return true;
  });
  return out;
}

/**
 * Offers `visit` each directory above `path`, nearest first, while it answers true. None for a path nested
 * past MAX_PATH_DEPTH (already an invalid part name): its ancestors would cost depth² characters.
 */
function walkUp(path: string, visit: (directory: string) => boolean): void {
  if (tooDeep(path)) return;
  for (let cut = path.lastIndexOf('\\'); cut > 0; cut = path.lastIndexOf('\\', cut - 1))
    if (!visit(path.slice(0, cut))) return;
}

/** Nested past MAX_PATH_DEPTH: more than MAX_PATH_DEPTH + 1 segments. */
function tooDeep(path: string): boolean {
  // Past the limit means MAX_PATH_DEPTH + 2 segments or more (some may be empty): that many separators at least.
  if (path.length <= MAX_PATH_DEPTH) return false;
  return path.split('\\', MAX_PATH_DEPTH + 2).length > MAX_PATH_DEPTH + 1;
}
