/**
 * A cell of a table column other than the last: clipped to `max` characters (ending in `…`), since every
 * row of the column is padded to its widest cell and one long value (an 8 MiB content type costs a package
 * a few bytes) would otherwise be repeated as padding on every row.
 */
export function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Columns a terminal gives `text`: East Asian wide and fullwidth characters take two, combining marks and
 * zero-width characters none, the rest one. Table columns were padded by characters, so a row with
 * `子目录.exe` pushed its next column two places per character (found by review). Ranges from Unicode's
 * EastAsianWidth.txt (W and F), coarsely: the blocks, not each code point.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char.codePointAt(0) ?? 0);
  return width;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200B-\u200F\u2060\uFEFF]$/u;

function charWidth(code: number): number {
  if (ZERO_WIDTH.test(String.fromCodePoint(code))) return 0;
  return WIDE.some(([from, to]) => code >= from && code <= to) ? 2 : 1;
}

const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initials
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility, Kanbun, CJK strokes, enclosed
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x1f300, 0x1f64f], // pictographs, emoticons
  [0x1f900, 0x1f9ff], // supplemental symbols and pictographs
  [0x20000, 0x3fffd], // CJK extensions B and later
];

/** `text` padded with spaces to `width` columns (see displayWidth), at the end or, with `start`, before it. */
export function padToWidth(text: string, width: number, start = false): string {
  const padding = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return start ? padding + text : text + padding;
}
