import { AppvError, ErrorCode } from './errors.js';

/**
 * Every key an options object may have, as a record the compiler checks against the options type (a key
 * missing from it, or one the type does not have, is a compile error), so the list cannot drift.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Refuses an options object with a key the call does not know: `editPackage(…, { version })` (edit's is
 * `setVersion`) or a misspelt `newVersio` was ignored, and wrote a package with the wrong version or ids
 * (found by review). A likely intended key is named.
 */
export function checkOptionKeys<T>(options: unknown, keys: OptionKeys<T>, call: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AppvError(ErrorCode.USAGE, `${call}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(keys, key)) continue;
    const hint = nearest(key, Object.keys(keys));
    throw new AppvError(
      ErrorCode.USAGE,
      `${call}: unknown option ${JSON.stringify(key)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; it takes ${Object.keys(keys).join(', ')}`,
    );
  }
}

/** A known key spelled alike (case, `_` or `-` aside, or one letter off), if there is one. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const plain = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  return (
    known.find((k) => plain(k) === plain(key)) ??
    known.find((k) => Math.abs(k.length - key.length) <= 1 && differsByOne(plain(k), plain(key)))
  );
}

function differsByOne(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}
