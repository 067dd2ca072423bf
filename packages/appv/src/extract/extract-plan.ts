import { AppvError, ErrorCode, LoopTurns, type PackageItem, quoted, throwIfAborted } from '@appv/opc';
import { fileNameKey } from '../file-name-key.js';
import { PathTree } from '../path-tree.js';
import { resolveInside, safeSegments } from './safe-path.js';

/** One thing extraction will create, with its final path already checked. */
export type PlanEntry =
  | { readonly kind: 'file'; readonly name: string; readonly target: string; readonly item: PackageItem }
  | { readonly kind: 'directory'; readonly name: string; readonly target: string };

/**
 * Validates every name before anything is written, so that a hostile package writes nothing at all
 * (rather than everything up to its first bad name). Also refuses two names that land on the same path
 * (part names compare case-insensitively, FORMAT.md §8, and so do Windows and macOS file systems) or a
 * file that would have to be a directory for another name: either would make the result depend on order.
 * Takes the event loop's turns (a hostile listing of deep names takes seconds), so an abort is heard.
 */
export async function planExtraction(
  root: string,
  items: readonly PackageItem[],
  emptyDirectories: readonly string[],
  whyUnreadable: (item: PackageItem) => AppvError | null,
  signal?: AbortSignal,
): Promise<PlanEntry[]> {
  const plan: PlanEntry[] = [];
  const turns = new LoopTurns();
  const tree = new PathTree(fileNameKey);
  /** The first name that needs each directory, and the name of each file, by node of the tree. */
  const directories = new Map<number, string>();
  const files = new Map<number, string>();
  /** The node of `segments`, each folder above it recorded as needed by `name`. */
  const place = (segments: readonly string[], name: string): number =>
    tree.addPath(segments, (node) => {
      if (!directories.has(node)) directories.set(node, name);
    });
  const addDirectory = (segments: readonly string[], name: string): void => {
    const node = place(segments, name);
    if (!directories.has(node)) directories.set(node, name);
  };

  for (const item of items) {
    await turns.take();
    throwIfAborted(signal);
    // A ZIP directory entry (forbidden in OPC, but seen) becomes a directory; its name ends in `/`.
    const isDirectory = item.kind === 'directory';
    const name = isDirectory ? item.name.replace(/\/$/, '') : item.name;
    const safe = safeSegments(name);
    const target = resolveInside(root, safe);
    const unreadable = isDirectory ? null : whyUnreadable(item);
    if (unreadable) {
      // Refused now rather than failing half-way, with the reason a read would give.
      throw new AppvError(unreadable.code, `Refusing to extract: ${unreadable.message}`, {
        part: name,
        offset: item.localHeaderOffset,
        cause: unreadable,
      });
    }
    if (isDirectory) {
      addDirectory(safe.segments, name);
      plan.push({ kind: 'directory', name, target });
      continue;
    }
    const file = place(safe.segments, name);
    const first = files.get(file);
    if (first !== undefined) throw collision(name, `it lands on the same file as ${quoted(first)}`);
    files.set(file, name);
    plan.push({ kind: 'file', name, target, item });
  }
  for (const name of emptyDirectories) {
    await turns.take();
    throwIfAborted(signal);
    const safe = safeSegments(name);
    const target = resolveInside(root, safe);
    addDirectory(safe.segments, name);
    plan.push({ kind: 'directory', name, target });
  }
  for (const [file, name] of files) {
    const other = directories.get(file);
    if (other !== undefined) throw collision(name, `${quoted(other)} needs it to be a directory`);
  }
  return plan;
}

function collision(name: string, why: string): AppvError {
  return new AppvError(ErrorCode.EXTRACT_PATH_UNSAFE, `Refusing to extract ${quoted(name)}: ${why}`, {
    part: name,
  });
}
