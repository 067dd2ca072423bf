/**
 * The key under which two package names are "the same file". Stricter than OPC's ASCII-only name key
 * (FORMAT.md §8) on purpose: NTFS and APFS also fold Unicode case (é/É) and APFS normalization (é as one
 * code point or two), so names OPC calls distinct can still be one file on the machines that run the
 * package. Extraction and packing both refuse such pairs rather than produce a result that depends on order.
 */
export function fileNameKey(name: string): string {
  return name.replaceAll('/', '\\').normalize('NFC').toUpperCase();
}
