import { type FilesystemEntry, type FilesystemMetadata, generateFilesystemMetadata } from '@appv/manifest';
import { nameKey } from '@appv/opc';
import { directoriesHolding } from '../filesystem-agreement.js';

/**
 * FilesystemMetadata for a payload that changed (FORMAT.md §5), keeping what the previous document said that
 * the payload cannot: its package root, its opaque directories (unless `opaque` replaces them), its empty
 * directories that are still empty, and its short names where the same paths remain (found by review: an
 * edit renamed the sequencer's PROGRA~2 to PROGRA~1). Used by pack (a kept document that no longer fits)
 * and edit.
 */
export function updatedFilesystemMetadata(
  kept: FilesystemMetadata | null | undefined,
  files: readonly string[],
  emptyDirectories: readonly string[],
  opaque?: readonly string[],
): FilesystemMetadata {
  const keptEmpty = kept?.emptyDirectories ?? [];
  // Every directory holding a file, only when there is a kept empty directory to test against it.
  const holding = keptEmpty.length === 0 ? new Set() : directoriesHolding(files.map(nameKey));
  const stillEmpty = keptEmpty.map((d) => d.long).filter((d) => !holding.has(nameKey(d)));
  const generated = generateFilesystemMetadata({
    files,
    ...(kept ? { shortNames: shortNamesOf(kept) } : {}),
    emptyDirectories: [...new Set([...emptyDirectories, ...stillEmpty])],
    opaqueDirectories: opaque ?? kept?.opaqueDirectories.map((d) => d.long) ?? [],
    ...(kept?.root === undefined
      ? {}
      : {
          packageRoot: {
            long: kept.root,
            ...(kept.shortRoot === undefined ? {} : { short: kept.shortRoot }),
          },
        }),
  });
  // Written into the previous document, so what appv does not model in it survives (filesystem-metadata-merge.ts).
  return kept?.document === undefined ? generated : { ...generated, document: kept.document };
}

/** Every entry's short name by the nameKey of its full long path. */
function shortNamesOf(metadata: FilesystemMetadata): Map<string, string> {
  const shorts = new Map<string, string>();
  const stack: { entry: FilesystemEntry; path: string }[] = metadata.entries.map((entry) => ({
    entry,
    path: entry.long,
  }));
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.entry.short !== undefined) shorts.set(nameKey(item.path), item.entry.short);
    for (const child of item.entry.children)
      stack.push({ entry: child, path: `${item.path}\\${child.long}` });
  }
  return shorts;
}
