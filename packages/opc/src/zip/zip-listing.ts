import { throwIfAborted } from '../errors.js';
import type { FindingSink } from '../finding.js';
import type { ListedItem } from '../package-item.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { readCentralDirectory } from './central-directory.js';
import { type EndRecords, readEndRecords } from './end-records.js';
import { checkEntryLayout } from './entry-layout.js';

/** A package listed as a ZIP: its end records and one item per central directory entry. */
export interface ZipListing {
  readonly end: EndRecords;
  readonly items: ListedItem[];
}

/**
 * The ZIP layer of opening a package (FORMAT.md §8, §9.2): end records, central directory with every local
 * header, entry layout. An item is `readable` when its bytes can be read safely: its local header agrees,
 * it overlaps no other entry and it is not a directory entry (which has no data). Naming items and their
 * content types is the OPC layer's (opc-package.ts); the plain read path (digestPackage) needs only this.
 */
export async function listZip(
  source: RandomAccessSource,
  sink: FindingSink,
  signal?: AbortSignal,
): Promise<ZipListing> {
  const end = await readEndRecords(source, sink, signal);
  // One object per item from here on, filled in stage by stage (package-item.ts, ListedItem).
  const items = await readCentralDirectory(source, end, sink, signal);
  throwIfAborted(signal);
  const overlapping = checkEntryLayout(items, sink, end.centralDirectoryOffset);
  for (const item of items)
    item.readable = item.readable && !overlapping.has(item.index) && !isDirectoryEntry(item.zipName);
  return { end, items };
}

/** A ZIP directory entry: its name ends in `/` (APPNOTE 4.3.8). */
export function isDirectoryEntry(zipName: string): boolean {
  return zipName.endsWith('/');
}
