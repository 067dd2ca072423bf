import { ErrorCode } from '../errors.js';
import type { FindingSink } from '../finding.js';
import { indicesBy } from '../index-order.js';
import type { ZipItem } from './zip-item.js';

/**
 * FORMAT.md §9.2: every entry's local header and data lie in their own byte range. Overlapping entries are
 * how "zip bombs by overlap" and two-readers-disagree attacks are built, so an overlapping item is reported
 * and marked unreadable rather than read twice. An entry whose data would run past `dataLimit` (the central
 * directory) is left out: it is already reported out of bounds and unreadable, and its false size made every
 * later entry "overlap" it, intact ones included (found by review: `cat AppxManifest.xml` was refused).
 */
export function checkEntryLayout(
  items: readonly ZipItem[],
  sink: FindingSink,
  dataLimit: number,
): Set<number> {
  const overlapping = new Set<number>();
  let previous: ZipItem | undefined;
  let previousEnd = 0;
  for (const index of indicesBy(items.length, (i) => (items[i] as ZipItem).localHeaderOffset)) {
    const item = items[index] as ZipItem;
    if (item.dataOffset + item.compressedSize > dataLimit) continue;
    if (previous && item.localHeaderOffset < previousEnd) {
      overlapping.add(item.index);
      overlapping.add(previous.index);
      sink.add({
        code: ErrorCode.ZIP_ENTRY_OVERLAP,
        severity: 'error',
        part: item.zipName,
        offset: item.localHeaderOffset,
        message: `${item.zipName} (local header at offset ${item.localHeaderOffset}) overlaps ${previous.zipName}, whose data runs to offset ${previousEnd}`,
      });
    }
    const end = item.dataOffset + item.compressedSize;
    if (end >= previousEnd) {
      previous = item;
      previousEnd = end;
    }
  }
  return overlapping;
}
