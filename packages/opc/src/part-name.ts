import { asciiLower } from './ascii-case.js';
import { AppvError, ErrorCode } from './errors.js';
import { MAX_PATH_DEPTH } from './limits.js';
import { checkTextArgument } from './option-keys.js';
import { quoted } from './printable-text.js';
import { strictUtf8 } from './utf8.js';

/**
 * OPC part names (FORMAT.md §8). Three forms exist:
 * - the ZIP item name, e.g. `Root/VFS/Common%20AppData/a%255B.txt` (an ASCII URI path without the leading `/`);
 * - the part name URI, the same with a leading `/`;
 * - the decoded name the BlockMap and StreamMap use, e.g. `Root\VFS\Common AppData\a%5B.txt`
 *   (percent-decoded exactly once, `\` as separator).
 * This module converts between them and says what makes a name invalid.
 */

/**
 * ASCII characters App-V and AppX writers percent-encode although URIs allow them; everything else that is
 * not a URI path character (and every non-ASCII character) is encoded too.
 */
const ENCODED_ASCII = new Set(" !#$%&'()+,;=@[]^`{}".split(''));

/**
 * The common case, checked in one pass: segments of URI path characters (no `%`, no `:`) that neither are
 * empty nor end in `.`. Anything else gets the detailed checks below.
 */
const PLAIN_NAME =
  /^(?:[A-Za-z0-9\-_~!$&'()*+,;=@]|\.(?=[^/]))+(?:\/(?:[A-Za-z0-9\-_~!$&'()*+,;=@]|\.(?=[^/]))+)*$/;

/** RFC 3986 pchar minus pct-encoded: what may stand unencoded in a segment. */
const PCHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

export const CONTENT_TYPES_ITEM = '[Content_Types].xml';

/**
 * Characters that stand for themselves in a ZIP item name: URI path characters minus ENCODED_ASCII and `:`
 * (`:` is a URI path character, but `C:` as a segment reads as a drive letter; Windows names never hold one).
 */
const SELF_CHARS = new Set(
  Array.from({ length: 0x80 }, (_, code) => String.fromCharCode(code)).filter(
    (char) => PCHAR.test(char) && !ENCODED_ASCII.has(char) && char !== ':',
  ),
);

/** A name of only SELF_CHARS (and `\` separators) needs no per-character work, which is most names. */
const UNENCODED_NAME = new RegExp(
  `^[${[...SELF_CHARS, '\\'].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\${c}`)).join('')}]*$`,
);

/**
 * `name` with every `/` turned into `\\` (or back): `name` itself when it holds no `from`, else one new flat
 * string. `replaceAll` answers a rope, a string object per piece (~900 bytes for a 90-character path against
 * ~90 flat), which V8 keeps as it is until something flattens it; names live as long as the package, so
 * 16,000 of them cost 13 MB instead of 1.5.
 */
export function swapSeparators(name: string, from: '/' | '\\', to: '/' | '\\'): string {
  return name.includes(from) ? name.split(from).join(to) : name;
}

/** Decoded BlockMap form → ZIP item name. Inverse of {@link decodeItemName} for every valid name. */
export function encodePartName(name: string): string {
  checkTextArgument(name, 'a part name', 'encodePartName');
  if (UNENCODED_NAME.test(name)) return swapSeparators(name, '\\', '/');
  return name.split('\\').map(encodeSegment).join('/');
}

function encodeSegment(segment: string): string {
  let out = '';
  for (const char of segment) {
    if (SELF_CHARS.has(char)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * ZIP item name → decoded BlockMap form: percent-decode once (UTF-8), `/` → `\`. Throws OPC_NAME_INVALID for
 * a malformed escape or bytes that are not UTF-8.
 */
export function decodeItemName(zipName: string): string {
  checkTextArgument(zipName, 'a ZIP item name', 'decodeItemName');
  if (!zipName.includes('%')) return swapSeparators(zipName, '/', '\\'); // the common case: nothing to decode
  return zipName
    .split('/')
    .map((segment) => decodeSegment(segment, zipName))
    .join('\\');
}

function decodeSegment(segment: string, zipName: string): string {
  if (!segment.includes('%')) return segment;
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const char = segment.charCodeAt(i);
    if (char === 0x25) {
      const hex = segment.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new AppvError(ErrorCode.OPC_NAME_INVALID, `${zipName}: "%" not followed by two hex digits`, {
          part: zipName,
        });
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      for (const byte of Buffer.from(segment[i] ?? '', 'utf8')) bytes.push(byte);
    }
  }
  try {
    return strictUtf8.decode(Uint8Array.from(bytes));
  } catch (error) {
    throw new AppvError(ErrorCode.OPC_NAME_INVALID, `${zipName}: percent-encoded bytes are not UTF-8`, {
      part: zipName,
      cause: error,
    });
  }
}

/**
 * `decodeItemName`, or the name as written when it cannot be decoded: for comparisons where an undecodable
 * name simply matches nothing but itself (content types, the writer's round-trip check).
 */
export function decodeItemNameLeniently(zipName: string): string {
  try {
    return decodeItemName(zipName);
  } catch {
    return zipName;
  }
}

/**
 * Every reason (FORMAT.md §8) a ZIP item name is not a valid OPC part name; empty when valid. Directory
 * entries (trailing `/`) are reported separately by the caller.
 */
export function partNameProblems(zipName: string): string[] {
  checkTextArgument(zipName, 'a ZIP item name', 'partNameProblems');
  if (PLAIN_NAME.test(zipName)) return [];
  const problems: string[] = [];
  if (zipName.length === 0) return ['the name is empty'];
  if (zipName.startsWith('/')) problems.push('it starts with "/"');
  if (zipName.includes('\\')) problems.push('it contains a backslash');
  const segments = (zipName.startsWith('/') ? zipName.slice(1) : zipName).split('/');
  if (segments.length > MAX_PATH_DEPTH) return [...problems, `it nests deeper than ${MAX_PATH_DEPTH} levels`];
  segments.forEach((segment, index) => {
    const isLast = index === segments.length - 1;
    if (segment === '') {
      if (!(isLast && segments.length > 1)) problems.push('it has an empty segment');
      return;
    }
    if (isDriveLetter(segment)) problems.push(`segment "${segment}" ${driveReading(segment)}`);
    // `C%3A` decodes to `C:`: the BlockMap name, what an extractor joins to its folder, is what re-roots.
    else if (segment.includes('%') && isDriveLetter(decodeItemNameLeniently(segment)))
      problems.push(`segment "${segment}" decodes to a Windows drive letter`);
    if (segment === '.' || segment === '..') problems.push(`it has a "${segment}" segment`);
    else if (segment.endsWith('.')) problems.push(`segment "${segment}" ends with "."`);
    problems.push(...segmentProblems(segment));
  });
  return [...new Set(problems)];
}

/** FORMAT.md §8: characters a URI path may hold as they are, which Windows writers percent-encode all the same. */
const ENCODED_BY_WINDOWS = /[!$&'()+,;=@]/;

/**
 * How a valid part name departs from the way Windows writers spell it (FORMAT.md §8: these characters
 * percent-encoded, with upper-case hex): decoders that know only the escapes the SDK writes may read it
 * otherwise. Empty when it does not. For a warning; partNameProblems says what is invalid.
 */
export function partNameLeniencies(zipName: string): string[] {
  const leniencies: string[] = [];
  const unencoded = ENCODED_BY_WINDOWS.exec(zipName);
  if (unencoded)
    leniencies.push(`it leaves ${quoted(unencoded[0])} unencoded, which Windows writers percent-encode`);
  const lowerHex = /%(?:[0-9a-f][a-f]|[a-f][0-9])/.exec(zipName);
  if (lowerHex) leniencies.push(`it writes ${lowerHex[0]} in lower case; Windows writers use upper-case hex`);
  return leniencies;
}

function segmentProblems(segment: string): string[] {
  const problems: string[] = [];
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i] ?? '';
    if (char === '%') {
      const hex = segment.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        problems.push('a "%" is not followed by two hex digits');
        continue;
      }
      const value = Number.parseInt(hex, 16);
      // OPC forbids encoding the separators and the unreserved characters (they must stand as themselves).
      if (value === 0x2f || value === 0x5c) problems.push('it percent-encodes a path separator');
      if (/^[A-Za-z0-9\-._~]$/.test(String.fromCharCode(value))) {
        problems.push(`it percent-encodes the unreserved character "${String.fromCharCode(value)}"`);
      }
      i += 2;
    } else if (char.charCodeAt(0) > 0x7f) {
      problems.push('it contains a non-ASCII character (must be percent-encoded)');
    } else if (!PCHAR.test(char)) {
      problems.push(`it contains ${quoted(char)}, which a part name must percent-encode`);
    }
  }
  return problems;
}

/**
 * `C:` as a segment: legal URI text, but on Windows it re-roots the path at a drive, so an extractor or
 * client joining names to a folder would write outside it.
 */
export function isDriveLetter(segment: string): boolean {
  return /^[A-Za-z]:/.test(segment);
}

/**
 * What Windows makes of a segment isDriveLetter finds, for messages: `C:` is a drive, but `a:b.txt` is a
 * path on drive A (relative to its current folder), not "a drive letter" (found by review: it was called one).
 */
export function driveReading(segment: string): string {
  checkTextArgument(segment, 'a name segment', 'driveReading');
  const drive = segment.slice(0, 2);
  return segment.length === 2
    ? `is the Windows drive ${drive}`
    : `begins with ${drive}, which Windows reads as a path on drive ${drive.charAt(0).toUpperCase()}`;
}

/** OPC compares names case-insensitively over ASCII only (FORMAT.md §8). */
export function nameKey(decodedName: string): string {
  return asciiLower(decodedName);
}

/**
 * The key a decoded name written with either separator finds its part by (`Root/a.txt` and `ROOT\A.TXT`
 * are one part): what lookups use, and so what a check for names listed twice must use too.
 */
export function partKey(name: string): string {
  checkTextArgument(name, 'a part name', 'partKey');
  return nameKey(name.replaceAll('/', '\\'));
}
