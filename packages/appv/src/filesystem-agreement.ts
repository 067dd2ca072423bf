import type { FilesystemEntry, FilesystemMetadata } from '@appv/manifest';
import { MAX_FINDINGS, MAX_PATH_DEPTH, nameKey } from '@appv/opc';
import { PathTree } from './path-tree.js';

/** Characters of a path a mismatch quotes at most (its end): a hostile tree's paths can be huge. */
const MAX_MISMATCH_PATH = 1_000;

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
  // Payload and tree meet in a PathTree (path-tree.ts): every path is walked segment by segment, never
  // built whole, so a deep tree or a long name costs its own length, not its prefixes' (found by review:
  // one 1 MB name over 3,000 entries took 11 s and 3 GB).
  const tree = new PathTree(nameKey);
  const fileAt = new Map<number, number>(); // node → the first payload name there
  const nodeOf = new Int32Array(payload.length);
  const holding = new Set<number>(); // directories that contain at least one payload file
  payload.forEach((name, i) => {
    const node = tree.addPath(name.split('\\'), (directory) => holding.add(directory));
    nodeOf[i] = node;
    if (!fileAt.has(node)) fileAt.set(node, i);
  });
  const problems: FilesystemMismatch[] = [];
  const directories = new Set<number>([tree.add(PathTree.ROOT, 'Root')]);
  for (const empty of metadata.emptyDirectories) {
    const node = tree.addPath(empty.long.split('\\'), (directory) => directories.add(directory));
    if (holding.has(node))
      problems.push(mismatch(empty.long, 'is listed as an empty directory but holds files'));
    else if (fileAt.has(node))
      problems.push(mismatch(empty.long, 'is listed as an empty directory but is a file of the package'));
    directories.add(node);
  }
  const named = new Uint8Array(payload.length);
  const strays: FilesystemMismatch[] = [];
  forEachEntry(metadata, tree, (node, pathOf) => {
    const file = node === undefined ? undefined : fileAt.get(node);
    if (file !== undefined) named[file] = 1;
    else if (node === undefined || !(holding.has(node) || directories.has(node))) {
      const path = pathOf();
      strays.push(
        mismatch(path, 'is neither a file nor a directory of the package', 'FilesystemMetadata.xml lists'),
      );
    }
  });
  payload.forEach((name, i) => {
    if (named[fileAt.get(nodeOf[i] as number) as number] === 0)
      problems.push(mismatch(name, 'is in the package but not in FilesystemMetadata.xml'));
  });
  return [...problems, ...strays].slice(0, MAX_FINDINGS);
}

/** An entry of the tree being walked: its parent is how its path is told, only when one is needed. */
interface Visit {
  readonly entry: FilesystemEntry;
  readonly node: number | undefined;
  readonly parent: Visit | null;
}

/**
 * Offers every entry of the tree, in flattenPaths order, with the node its path leads to (undefined when no
 * payload file or directory lies there) and a way to tell its path (cut to MAX_MISMATCH_PATH characters,
 * keeping the end: a finding per hostile deep entry must not hold the whole path).
 */
function forEachEntry(
  metadata: FilesystemMetadata,
  tree: PathTree,
  visit: (node: number | undefined, pathOf: () => string) => void,
): void {
  const stack: Visit[] = [];
  const push = (entries: readonly FilesystemEntry[], parent: Visit | null) => {
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i] as FilesystemEntry;
      const from = parent === null ? PathTree.ROOT : parent.node;
      const node = from === undefined ? undefined : find(tree, from, entry.long);
      stack.push({ entry, node, parent });
    }
  };
  push(metadata.entries, null);
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item;
    visit(current.node, () => pathOf(current));
    push(current.entry.children, current);
  }
}

/** The existing node of `long` (a name, or names joined by `\`) below `from`. */
function find(tree: PathTree, from: number, long: string): number | undefined {
  let node: number | undefined = from;
  for (const segment of long.split('\\')) {
    node = tree.find(node, segment);
    if (node === undefined) return undefined;
  }
  return node;
}

function pathOf(visit: Visit): string {
  const names: string[] = [];
  let room = MAX_MISMATCH_PATH;
  for (let at: Visit | null = visit; at !== null; at = at.parent) {
    const name = at.entry.long;
    if (name.length > room) {
      names.push(`…${name.slice(name.length - room)}`);
      break;
    }
    names.push(name);
    room -= name.length + 1;
  }
  // A string of its own: a slice would keep the whole name it was cut from alive (3,000 findings under one
  // 1 MB name held 3 GB).
  return ` ${names.reverse().join('\\')}`.slice(1);
}

function mismatch(part: string, what: string, before = ''): FilesystemMismatch {
  return { part, message: before === '' ? `${part} ${what}` : `${before} ${part}, which ${what}` };
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
