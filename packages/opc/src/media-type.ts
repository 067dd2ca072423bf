import { MAX_CONTENT_TYPE_LENGTH } from './limits.js';

/**
 * The content type grammar of OPC's schema (ECMA-376 Part 2, opc-contentTypes.xsd `ST_ContentType`, after
 * RFC 2616 §3.7): `type/subtype` of token characters, then parameters `; name=value` whose value is a token
 * or a quoted string, with white space allowed only around the `;`. A token character is printable ASCII
 * other than the separators.
 */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\xa0-\\xff]|\\\\[\\x00-\\x7f])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*$`);

/** RFC 6838 §4.2: type and subtype names are at most 127 characters. */
const MAX_NAME = 127;

/** Why `value` is not a content type a package may declare, or null when it is one. */
export function contentTypeProblem(value: string): string | null {
  if (value.length > MAX_CONTENT_TYPE_LENGTH)
    return `a content type of ${value.length} characters is longer than ${MAX_CONTENT_TYPE_LENGTH}`;
  if (!MEDIA_TYPE.test(value)) return `"${value}" is not a media type (type/subtype[; name=value]…)`;
  const [type = '', rest = ''] = value.split('/', 2);
  const subtype = rest.split(/[ \t;]/, 1)[0] ?? '';
  if (type.length > MAX_NAME || subtype.length > MAX_NAME)
    return `"${value}" has a type or subtype longer than ${MAX_NAME} characters`;
  return null;
}
