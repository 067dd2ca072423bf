import { AppvError, asciiUpper, checkTextArgument, ErrorCode, quoted } from '@appv/opc';

/**
 * Windows 8.3 short names, as FilesystemMetadata.xml records them for every entry (FORMAT.md §5: "Short
 * names are 8.3 names, unique per directory"). The client reads them from the document, so what matters is
 * that they are valid and unique in their directory; following the Windows scheme keeps them familiar
 * (`Program Files` → `PROGRA~1`). [inferred]
 */

/** Characters a short name may hold besides A–Z and 0–9 (the FAT 8.3 set, ASCII only). */
const SHORT_SPECIALS = new Set("!#$%&'()-@^_`{}~".split(''));

/** A name Windows would keep as its own short name: 1–8 base characters, at most one dot, 1–3 after it. */
const VALID_8_3 = /^[A-Za-z0-9!#$%&'()\-@^_`{}~]{1,8}(?:\.[A-Za-z0-9!#$%&'()\-@^_`{}~]{1,3})?$/;

/** True for a name Windows keeps as its own short name (so no other entry in its directory may take it). */
export function isShortName(name: string): boolean {
  return VALID_8_3.test(name);
}

/**
 * An 8.3 shape as a recorded short name may have it: Windows keeps letters of the OEM code page in the short
 * names it makes (`CAFÉ~1.TXT`), so a sequencer's document can hold letters outside ASCII. Such a name is
 * kept as recorded (found by review: it was replaced); what is not 8.3 at all is not. [inferred]
 */
const RECORDED_8_3 = /^[\p{L}\p{N}!#$%&'()\-@^_`{}~]{1,8}(?:\.[\p{L}\p{N}!#$%&'()\-@^_`{}~]{1,3})?$/u;

export function isRecordedShortName(name: string): boolean {
  return RECORDED_8_3.test(name);
}

/**
 * The 8.3 short name of one path segment, upper case, not in `taken` (the upper-case short names already
 * used in the same directory; `hints`, if given, kept beside it). Deterministic: the same name and set
 * always give the same result.
 *
 * - A name that already is a valid 8.3 name is its own short name (upper-cased) unless taken.
 * - Otherwise, as Windows does: spaces and dots are dropped from the base (everything before the last dot),
 *   characters a short name cannot hold (`+ , ; = [ ]`, non-ASCII, …) become `_`, and the first 6 characters
 *   get a `~N` tail; the extension is the first 3 cleaned characters after the last dot. A leading dot does
 *   not start an extension (`.gitignore` → `GITIGN~1`).
 * - Windows switches to 2 characters + 4 hex digits of a hash from `~5` on. We keep counting instead and
 *   shorten the base as N grows so that it still fits 8 characters (`PROGR~10`, `PROG~100`): equally valid
 *   and unique, and independent of a hash function we cannot reproduce. [inferred]
 */
export function shortName(long: string, taken: ReadonlySet<string>, hints?: ShortNameHints): string {
  checkTextArgument(long, 'a long name', 'shortName');
  if (typeof (taken as Partial<ReadonlySet<string>> | null)?.has !== 'function') {
    throw new AppvError(ErrorCode.USAGE, 'shortName takes the set of short names already taken');
  }
  if (long === '' || long === '.' || long === '..') {
    throw new AppvError(ErrorCode.PACK_NAME_INVALID, `${quoted(long)} is not a name and has no short name`);
  }
  if (VALID_8_3.test(long)) {
    const upper = asciiUpper(long);
    if (!taken.has(upper)) return upper;
  }
  const lastDot = long.lastIndexOf('.');
  const hasExtension = lastDot > 0;
  let stem = clean(hasExtension ? long.slice(0, lastDot) : long);
  let extension = hasExtension ? clean(long.slice(lastDot + 1)).slice(0, 3) : '';
  // `...txt` leaves no base: the extension is all there is to name the file by.
  if (stem === '') [stem, extension] = [extension, ''];
  if (stem === '') stem = '_';
  const tail = extension === '' ? '' : `.${extension}`;
  // Numbers of one width share their candidates among every stem with the same first characters: a hint
  // per (width, those characters, tail) says where the untaken ones may start.
  for (let digits = 1, first = 1; digits <= 6; digits++, first *= 10) {
    const base = stem.slice(0, Math.min(6, 7 - digits));
    const key = `${digits}${base}.${tail}`;
    for (let n = Math.max(first, hints?.get(key) ?? first); n < first * 10; n++) {
      const candidate = `${base}~${n}${tail}`;
      if (!taken.has(candidate)) {
        hints?.set(key, n + 1);
        return candidate;
      }
    }
    hints?.set(key, first * 10);
  }
  throw new AppvError(
    ErrorCode.PACK_NAME_COLLISION,
    `${quoted(long)}: every 8.3 short name of the form ${stem.slice(0, 1)}…~N${tail} is taken in its directory`,
  );
}

/**
 * Where to resume the search for a free `~N` in one directory, kept by its caller with its `taken` set. The
 * result is the same with or without: names taken stay taken, so every number below a hint is still taken.
 * Without it, 20,000 files named `photo_2023_NNNNNN.jpg` in one folder took 18.6 s, each one counting up
 * from `~1` past all the earlier ones (found by review).
 */
export type ShortNameHints = Map<string, number>;

/** Spaces and dots dropped, other characters a short name cannot hold turned into `_`, upper case. */
function clean(text: string): string {
  let out = '';
  for (const char of text) {
    if (char === ' ' || char === '.') continue;
    out += isAsciiAlphanumeric(char.charCodeAt(0)) || SHORT_SPECIALS.has(char) ? char : '_';
  }
  return asciiUpper(out);
}

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** OPC's ASCII-only case folding (@appv/opc), still exported here where it was first published. */
export { asciiUpper };
