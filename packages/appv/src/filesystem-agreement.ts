import { type FilesystemMetadata, flattenPaths } from '@appv/manifest';
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
  const problems: FilesystemMismatch[] = [];
  const files = new Set(payload.map(nameKey));
  const holding = new Set<string>(); // directories that contain at least one payload file
  for (const file of files) for (const ancestor of ancestors(file)) holding.add(ancestor);
  const directories = new Set<string>(['root', ...holding]);
  for (const empty of metadata.emptyDirectories) {
    const key = nameKey(empty.long);
    if (holding.has(key))
      problems.push({
        part: empty.long,
        message: `${empty.long} is listed as an empty directory but holds files`,
      });
    directories.add(key);
    for (const ancestor of ancestors(key)) directories.add(ancestor);
  }
  const paths = flattenPaths(metadata);
  const tree = new Set(paths.map(nameKey));
  for (const name of payload) {
    if (!tree.has(nameKey(name)))
      problems.push({ part: name, message: `${name} is in the package but not in FilesystemMetadata.xml` });
  }
  for (const path of paths) {
    const key = nameKey(path);
    if (!files.has(key) && !directories.has(key)) {
      problems.push({
        part: path,
        message: `FilesystemMetadata.xml lists ${path}, which is neither a file nor a directory of the package`,
      });
    }
  }
  return problems;
}

/**
 * The directories above a path (`a\b\c` → `a\b`, `a`). None for a path nested past MAX_PATH_DEPTH (already
 * an invalid part name): its ancestors would cost depth² characters.
 */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  if (path.split('\\', MAX_PATH_DEPTH + 2).length > MAX_PATH_DEPTH + 1) return out;
  for (let cut = path.lastIndexOf('\\'); cut > 0; cut = path.lastIndexOf('\\', cut - 1))
    out.push(path.slice(0, cut));
  return out;
}
