import { AppvError, ErrorCode } from './errors.js';
/**
 * The known name a mistyped one most likely meant: the same apart from case, `_` and `-`; one letter
 * added, dropped or changed; or the same word with a verb before it (`setVersion` for `version`). Shared by the library's option checks and the CLI's did-you-mean hints.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  // Checked here, not with option-keys.ts (which imports this file).
  if (typeof name !== 'string' || !Array.isArray(known)) {
    throw new AppvError(ErrorCode.USAGE, 'nearestName takes a name and an array of known names');
  }
  const plain = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  return (
    known.find((k) => plain(k) === plain(name)) ??
    known.find((k) => Math.abs(k.length - name.length) <= 1 && differsByOne(plain(k), plain(name))) ??
    // The setter of the word: `version` for edit's `setVersion` (the README's own example, which got no
    // hint; found by review), else the one name that ends with it. Four letters at least, so `id` or `all`
    // suggest nothing.
    known.find((k) => plain(k) === `set${plain(name)}`) ??
    (plain(name).length >= 4 ? onlyOne(known.filter((k) => plain(k).endsWith(plain(name)))) : undefined)
  );
}

function onlyOne(names: readonly string[]): string | undefined {
  return names.length === 1 ? names[0] : undefined;
}

function differsByOne(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}
