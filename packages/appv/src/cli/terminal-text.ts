/**
 * A cell of a table column other than the last: clipped to `max` characters (ending in `…`), since every
 * row of the column is padded to its widest cell and one long value (an 8 MiB content type costs a package
 * a few bytes) would otherwise be repeated as padding on every row.
 */
export function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
