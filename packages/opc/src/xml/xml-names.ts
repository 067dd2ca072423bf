import { checkTextArgument } from '../option-keys.js';
/**
 * XML names and the two namespaces that are bound by definition (Namespaces in XML 1.0 §3).
 * Shared by the parser (to read) and the serializer (to refuse writing what could not be read back).
 */

/** The `xml:` prefix is bound to this URI without a declaration. */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
/** `xmlns` and `xmlns:p` attributes are reported in this namespace, as the DOM does. */
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

// XML 1.0 fifth edition, productions [4] and [4a]; the colon is handled separately (QName below).
const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;

/** An XML `Name` (colons allowed anywhere), sticky to match in place. */
const NAME_STICKY = new RegExp(`[${NAME_START}:][${NAME_CHAR}:]*`, 'uy');
const NCNAME = `[${NAME_START}][${NAME_CHAR}]*`;
const QNAME_EXACT = new RegExp(`^${NCNAME}(?::${NCNAME})?$`, 'u');
const NCNAME_EXACT = new RegExp(`^${NCNAME}$`, 'u');

/** The ASCII part of NameStartChar (NAME_START above, plus `:`): letters, `_` and `:`. */
function isAsciiNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a;
}

/** The ASCII part of NameChar: NameStartChar plus digits, `-` and `.`. */
function isAsciiNameChar(code: number): boolean {
  return isAsciiNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e;
}

/**
 * Where the XML `Name` starting at `at` ends, or -1 when none starts there. ASCII names (nearly all) are
 * scanned by character: the sticky regex's match array per name was a large share of what parsing a
 * 20,000-file BlockMap allocated. A name that goes on past ASCII is left to the full grammar.
 */
export function nameEnd(text: string, at: number): number {
  let end = at;
  if (end < text.length && isAsciiNameStart(text.charCodeAt(end))) {
    do end++;
    while (end < text.length && isAsciiNameChar(text.charCodeAt(end)));
    if (end >= text.length || text.charCodeAt(end) < 0x80) return end;
  }
  NAME_STICKY.lastIndex = at;
  return NAME_STICKY.exec(text) === null ? -1 : NAME_STICKY.lastIndex;
}

/** True for a namespace-well-formed qualified name: `local` or `prefix:local`. */
export function isQName(name: string): boolean {
  return QNAME_EXACT.test(name);
}

export function isNCName(name: string): boolean {
  return NCNAME_EXACT.test(name);
}

/** Splits a qualified name; `prefix` is null when there is none. */
export function splitQName(name: string): { prefix: string | null; localName: string } {
  checkTextArgument(name, 'a qualified name', 'splitQName');
  const colon = name.indexOf(':');
  return colon < 0
    ? { prefix: null, localName: name }
    : { prefix: name.slice(0, colon), localName: name.slice(colon + 1) };
}
