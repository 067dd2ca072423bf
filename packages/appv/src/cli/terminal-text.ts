/**
 * A cell of a table column other than the last: clipped to `max` terminal columns (ending in `…`), since
 * every row of the column is padded to its widest cell and one long value (an 8 MiB content type costs a
 * package a few bytes) would otherwise be repeated as padding on every row. Cut between characters, never
 * inside a surrogate pair, and by columns (a cell of wide characters took twice the room; found by review).
 */
export function clipped(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let width = 0;
  let kept = '';
  for (const char of text) {
    const next = width + charWidth(char, kept.at(-1));
    if (next > max - 1) break;
    width = next;
    kept += char;
  }
  return `${kept}…`;
}

/**
 * Columns a terminal gives `text`: East Asian wide and fullwidth characters and emoji take two; combining
 * marks, zero-width characters, Hangul vowel and final jamo and what a zero-width joiner joins take none; the
 * rest one. Table columns were padded by characters, so a row with `子目录.exe` pushed its next column two
 * places per character (found by review). Ranges from Unicode's EastAsianWidth.txt (W and F) and emoji
 * data, by block: close enough for names in a table.
 */
export function displayWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  let width = 0;
  let previous: string | undefined;
  for (const char of text) {
    width += charWidth(char, previous);
    previous = char;
  }
  return width;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u1160-\u11FF]$/u; // variation selectors are Mn
const ZWJ = '\u200D';

/**
 * Text every character of which is one column: most names. Tested first, as is a single ASCII character, so
 * that the Unicode tests below are made only for the rest: for every character of every cell they made `ls`
 * of 130,000 long names take 34 s, against 10 s with `--json` (found by review).
 */
const ASCII = /^\p{ASCII}*$/u;

function charWidth(char: string, previous: string | undefined): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x80 && previous !== ZWJ) return 1;
  if (previous === ZWJ || ZERO_WIDTH.test(char)) return 0;
  return WIDE.some(([from, to]) => code >= from && code <= to) ? 2 : 1;
}

const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initials
  [0x231a, 0x231b], // watch, hourglass
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615], // umbrella, hot beverage
  [0x2648, 0x2653], // zodiac
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility, Kanbun, CJK strokes, enclosed
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small forms
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x16fe0, 0x18cff], // Tangut and others
  [0x1b000, 0x1b2ff], // Kana supplement and extended
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251], // enclosed ideographic supplement
  [0x1f300, 0x1f64f], // pictographs, emoticons
  [0x1f680, 0x1f6ff], // transport and map symbols
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff], // supplemental symbols and pictographs
  [0x1fa70, 0x1faff], // symbols and pictographs extended A
  [0x20000, 0x3fffd], // CJK extensions B and later
];

/** `text` padded with spaces to `width` columns (see displayWidth), at the end or, with `start`, before it. */
export function padToWidth(text: string, width: number, start = false): string {
  const padding = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return start ? padding + text : text + padding;
}
