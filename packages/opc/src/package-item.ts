import type { ZipItem } from './zip/zip-item.js';

/**
 * What an item is to OPC: a part (with a part name), the content types stream (not a part), or a directory
 * entry (forbidden in OPC, FORMAT.md §1, but listed so it can be reported).
 */
export type ItemKind = 'part' | 'content-types' | 'directory';

export interface PackageItem extends ZipItem {
  readonly kind: ItemKind;
  /**
   * The decoded name in BlockMap form (`Root\VFS\a b.dll`), FORMAT.md §8. When the ZIP name cannot be
   * decoded, the ZIP name as written.
   */
  readonly name: string;
  /** From `[Content_Types].xml`; undefined when it resolves to nothing (a finding) or is not a part. */
  readonly contentType: string | undefined;
}

/**
 * A package item while opening builds it: one object per entry from the central directory walk on, its
 * fields filled in as the local header, naming and content types are read. Copying a 17-field record at each
 * stage made every item live through several young-generation collections, which is what grew the heap.
 */
export type ListedItem = { -readonly [K in keyof PackageItem]: PackageItem[K] };
