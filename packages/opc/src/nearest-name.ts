import { AppvError, ErrorCode } from './errors.js';
/**
 * The known name a mistyped one most likely meant: the same apart from case, `_` and `-`, or one letter
 * added, dropped or changed. Shared by the library's option checks and the CLI's did-you-mean hints.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  // Checked here, not with option-keys.ts (which imports this file).
  if (typeof name !== 'string' || !Array.isArray(known)) {
    throw new AppvError(ErrorCode.USAGE, 'nearestName takes a name and an array of known names');
  }
  const plain = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  return (
    known.find((k) => plain(k) === plain(name)) ??
    known.find((k) => Math.abs(k.length - name.length) <= 1 && differsByOne(plain(k), plain(name)))
  );
}

function differsByOne(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}
