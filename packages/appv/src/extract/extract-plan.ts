import { AppvError, ErrorCode, type PackageItem } from '@appv/opc';
import { fileNameKey } from '../file-name-key.js';
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
 */
export function planExtraction(
  root: string,
  items: readonly PackageItem[],
  emptyDirectories: readonly string[],
): PlanEntry[] {
  const plan: PlanEntry[] = [];
  const files = new Map<string, string>();
  const directories = new Map<string, string>();
  const addDirectories = (segments: readonly string[], count: number, name: string) => {
    for (let i = 1; i <= count; i++) {
      const key = keyOf(segments.slice(0, i));
      if (!directories.has(key)) directories.set(key, name);
    }
  };

  for (const item of items) {
    // A ZIP directory entry (forbidden in OPC, but seen) becomes a directory; its name ends in `/`.
    const isDirectory = item.kind === 'directory';
    const name = isDirectory ? item.name.replace(/\/$/, '') : item.name;
    const safe = safeSegments(name);
    const target = resolveInside(root, safe);
    if (!isDirectory && !item.readable) {
      // Refused now rather than failing half-way: the verifier's findings say why it is unreadable.
      throw new AppvError(ErrorCode.ZIP_DATA_INVALID, `Refusing to extract: ${name} cannot be read safely`, {
        part: name,
        offset: item.localHeaderOffset,
      });
    }
    if (isDirectory) {
      addDirectories(safe.segments, safe.segments.length, name);
      plan.push({ kind: 'directory', name, target });
      continue;
    }
    const key = keyOf(safe.segments);
    const first = files.get(key);
    if (first !== undefined) throw collision(name, `it lands on the same file as ${JSON.stringify(first)}`);
    files.set(key, name);
    addDirectories(safe.segments, safe.segments.length - 1, name);
    plan.push({ kind: 'file', name, target, item });
  }
  for (const name of emptyDirectories) {
    const safe = safeSegments(name);
    const target = resolveInside(root, safe);
    addDirectories(safe.segments, safe.segments.length, name);
    plan.push({ kind: 'directory', name, target });
  }
  for (const [key, name] of files) {
    const other = directories.get(key);
    if (other !== undefined) throw collision(name, `${JSON.stringify(other)} needs it to be a directory`);
  }
  return plan;
}

function keyOf(segments: readonly string[]): string {
  return fileNameKey(segments.join('\\'));
}

function collision(name: string, why: string): AppvError {
  return new AppvError(ErrorCode.EXTRACT_PATH_UNSAFE, `Refusing to extract ${JSON.stringify(name)}: ${why}`, {
    part: name,
  });
}
