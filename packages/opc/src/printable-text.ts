import { checkTextArgument } from './option-keys.js';

/**
 * Text from a package (part names, content types, manifest fields, messages quoting them) as it may reach a
 * person's terminal or log. A name may hold escape sequences that retitle the window or recolour the screen,
 * line breaks that forge extra output lines, or bidirectional overrides that show a name other than it is:
 * each such character is shown as an escape (`\x1b`, `\n`, `\u202e`) instead. JSON output is escaped by
 * JSON itself.
 */

// C0 and C1 controls and DEL; the bidirectional embeddings, overrides and isolates (Unicode TR9).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every character that would act on a terminal, rather than show, written as an escape. */
export function printable(text: string): string {
  checkTextArgument(text, 'text', 'printable');
  return text.replace(UNSAFE, (c) => NAMED[c] ?? escapeCode(c.charCodeAt(0)));
}

/**
 * A name or value quoted in a message: `"Root\VFS\a.txt"`, as it can be copied back into `--remove` or
 * `--part`. JSON.stringify doubled every backslash of a package name (found by review); only what
 * `printable` escapes is escaped here.
 */
export function quoted(value: unknown): string {
  // A value of the wrong type (a caller's mistake the message is reporting) is shown as JSON would.
  // A BigInt is shown as written (JSON.stringify throws on one: found by review, `threads: 4n`); a value JSON
  // cannot show (a cycle) as String does.
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value); // NaN and Infinity, which JSON shows as null
  if (typeof value !== 'string') {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return `"${printable(value)}"`;
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}
