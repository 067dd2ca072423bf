/**
 * UTF-16 code unit order: the same on every machine and locale (unlike localeCompare), which is what makes a
 * writer's output deterministic (sorted names, sorted declarations).
 */
export function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
