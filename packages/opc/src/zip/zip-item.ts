/**
 * One ZIP entry as the central directory and its local header describe it (FORMAT.md §8). Sizes and
 * offsets are final: ZIP64 extra values already replaced saturated fields.
 */
export interface ZipItem {
  /** Position in the central directory. */
  readonly index: number;
  /** The item name as written, decoded as UTF-8 (bit 11) or Latin-1. OPC names are ASCII. */
  readonly zipName: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  /** Length of the real local header: 30 + name + extra. The BlockMap's `LfhSize` must equal it (§2). */
  readonly localHeaderSize: number;
  /** First byte of the item's data: localHeaderOffset + localHeaderSize. */
  readonly dataOffset: number;
  readonly versionNeeded: number;
  readonly localVersionNeeded: number;
  /** True when the central directory entry carries a ZIP64 extended information field. */
  readonly zip64Extra: boolean;
  /**
   * False when the data cannot be read safely (unsupported method, encryption, outside the file,
   * unreadable local header). Such items are listed and reported, never inflated.
   */
  readonly readable: boolean;
}
