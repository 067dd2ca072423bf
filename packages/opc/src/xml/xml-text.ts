import { checkTextArgument } from '../option-keys.js';

/**
 * Escaping and unescaping of XML character data: the one place that knows which characters XML 1.0
 * allows, which references we accept and how our serializer escapes.
 *
 * Security rule (FORMAT.md §9, hostile input): the only references ever resolved are the five
 * predefined entities and numeric character references. Anything else is refused, never looked up.
 */

/** XML 1.0 `Char` production; everything outside it cannot appear in a document, escaped or not. */
const INVALID_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Index of the first character XML 1.0 does not allow, or -1. Lone surrogates count as invalid. */
export function findInvalidXmlChar(text: string): number {
  const match = INVALID_CHAR.exec(text);
  return match === null ? -1 : match.index;
}

/** `U+0001` for the first character XML 1.0 does not allow in `text`, or undefined when it has none. */
export function invalidXmlCharLabel(text: string): string | undefined {
  const at = findInvalidXmlChar(text);
  if (at < 0) return undefined;
  return `U+${(text.codePointAt(at) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Why a reference could not be decoded; the parser turns it into XML_ENTITY or XML_MALFORMED. */
export interface ReferenceProblem {
  readonly kind: 'entity' | 'malformed';
  /** Index of the `&` in the decoded input string. */
  readonly index: number;
  readonly message: string;
}

const REFERENCE = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_:][A-Za-z0-9._:-]*)?(;)?/g;

/**
 * Resolves the predefined entities and character references in raw character data.
 * Returns the decoded string, or a problem describing the first bad reference.
 */
export function decodeReferences(raw: string): string | ReferenceProblem {
  checkTextArgument(raw, 'XML text', 'decodeReferences');
  if (!raw.includes('&')) return raw;
  let out = '';
  let last = 0;
  REFERENCE.lastIndex = 0;
  for (let m = REFERENCE.exec(raw); m !== null; m = REFERENCE.exec(raw)) {
    const body = m[1];
    if (body === undefined || m[2] === undefined) {
      return { kind: 'malformed', index: m.index, message: "'&' that does not start a reference" };
    }
    let replacement: string;
    if (body.startsWith('#')) {
      const codePoint = body.startsWith('#x')
        ? Number.parseInt(body.slice(2), 16)
        : Number.parseInt(body.slice(1), 10);
      if (!isXmlChar(codePoint)) {
        return {
          kind: 'malformed',
          index: m.index,
          message: `character reference &${body}; is not an XML character`,
        };
      }
      replacement = String.fromCodePoint(codePoint);
    } else {
      const predefined = PREDEFINED[body];
      if (predefined === undefined || !Object.hasOwn(PREDEFINED, body)) {
        return { kind: 'entity', index: m.index, message: `entity reference &${body}; is not allowed` };
      }
      replacement = predefined;
    }
    out += raw.slice(last, m.index) + replacement;
    last = m.index + m[0].length;
  }
  return out + raw.slice(last);
}

/**
 * Attribute-value normalisation (XML 1.0 §3.3.3) applied to the literal characters of a value, before
 * references are resolved: a literal tab, CR, LF or CR LF pair becomes one space. Characters that come
 * from references (`&#10;`) are kept, which is why the serializer writes them as references.
 */
export function normalizeAttributeWhitespace(raw: string): string {
  return raw.replace(/\r\n|[\t\n\r]/g, ' ');
}

/** Character data: `&`, `<` and `>` (the latter so that `]]>` can never appear). */
export function escapeText(value: string): string {
  checkTextArgument(value, 'text', 'escapeText');
  return value.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * A double-quoted attribute value. Tab, LF and CR are written as character references because a reader
 * would otherwise normalise them to spaces (§3.3.3).
 */
export function escapeAttribute(value: string): string {
  checkTextArgument(value, 'an attribute value', 'escapeAttribute');
  return value.replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

/** XML's S production (§2.3): space, tab, CR, LF. */
export function isXmlWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Text that is only S (or empty). */
export const ONLY_WHITESPACE = /^[ \t\r\n]*$/;
