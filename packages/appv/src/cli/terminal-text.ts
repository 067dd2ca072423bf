/**
 * Text from a package (part names, content types, manifest fields, messages quoting them) as it may reach a
 * person's terminal. A name may hold escape sequences that retitle the window or recolour the screen, line
 * breaks that forge extra output lines, or bidirectional overrides that show a name other than it is: each
 * such character is shown as an escape (`\x1b`, `\n`, `\u202e`) instead. Only the human output goes through
 * here; `--json` output is escaped by JSON itself.
 */

// C0 and C1 controls and DEL; the bidirectional embeddings, overrides and isolates (Unicode TR9).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every character that would act on a terminal, rather than show, written as an escape. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? escapeCode(c.charCodeAt(0)));
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/**
 * A cell of a table column other than the last: clipped to `max` characters (ending in `…`), since every
 * row of the column is padded to its widest cell and one long value (an 8 MiB content type costs a package
 * a few bytes) would otherwise be repeated as padding on every row.
 */
export function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
