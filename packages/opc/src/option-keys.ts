import { AppvError, ErrorCode } from './errors.js';
import { nearestName } from './nearest-name.js';

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
    const hint = nearestName(key, Object.keys(keys));
    throw new AppvError(
      ErrorCode.USAGE,
      `${call}: unknown option ${JSON.stringify(key)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; it takes ${Object.keys(keys).join(', ')}`,
    );
  }
}
