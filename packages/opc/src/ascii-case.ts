import { checkTextArgument } from './option-keys.js';

/**
 * OPC's case folding (FORMAT.md §8): ASCII letters only. `toLowerCase()`/`toUpperCase()` would also fold
 * non-ASCII letters (and turn `ß` into `SS`), so they serve only for ASCII text: the common case, checked
 * first because a replace with a callback per letter cost a pack of 16,000 files ~180 ms.
 */
const ASCII_ONLY = /^\p{ASCII}*$/u;

export function asciiLower(text: string): string {
  checkTextArgument(text, 'text', 'asciiLower');
  return ASCII_ONLY.test(text) ? text.toLowerCase() : text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

export function asciiUpper(text: string): string {
  checkTextArgument(text, 'text', 'asciiUpper');
  return ASCII_ONLY.test(text) ? text.toUpperCase() : text.replace(/[a-z]+/g, (run) => run.toUpperCase());
}
