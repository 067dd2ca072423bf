import path from 'node:path';
import {
  AppvError,
  driveReading,
  ErrorCode,
  invalidXmlCharLabel,
  isDriveLetter,
  MAX_PATH_DEPTH,
  MAX_SEGMENT_BYTES,
  quoted,
  TEMPORARY_PATH_EXTRA_BYTES,
} from '@appv/opc';

/**
 * FORMAT.md §9 ("hostile input"): a package name must never lead a write outside the target directory.
 * Names are checked segment by segment on their decoded form, with both `\` (the BlockMap separator) and `/`
 * (what a decoded `%2F` becomes, and the POSIX separator) treated as separators, so that no spelling of a
 * traversal survives to the file system.
 */

/** A name reduced to its path segments, each safe to use as one file-system name. */
export interface SafeName {
  /** The package name it came from, for messages. */
  readonly name: string;
  readonly segments: readonly string[];
}

/**
 * Linux PATH_MAX less the terminator, less what a file's temporary name adds (it is written there first):
 * a longer target path would fail mid-extraction, after earlier files were written.
 */
const MAX_TARGET_PATH_BYTES = 4095 - TEMPORARY_PATH_EXTRA_BYTES;
// Windows resolves these anywhere in a path to devices; a file called `NUL.txt` is not a file there, nor
// `NUL .txt` (spaces before the extension are dropped), nor the console's CONIN$ and CONOUT$.
const WINDOWS_DEVICE = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$) *(?:\..*)?$/i;

/** Characters no Windows file name holds (besides `:`, `\`, `/` and control characters, refused apart). */
const WINDOWS_FORBIDDEN = /[<>"|?*]/;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Splits and checks a decoded package name; throws EXTRACT_PATH_UNSAFE with the reason. */
export function safeSegments(name: string, platform: NodeJS.Platform = process.platform): SafeName {
  const checked = splitSafely(name, platform);
  if (typeof checked === 'string') {
    throw new AppvError(ErrorCode.EXTRACT_PATH_UNSAFE, `Refusing to extract ${quoted(name)}: ${checked}`, {
      part: name,
    });
  }
  return { name, segments: checked };
}

/**
 * Why a name cannot become a path (pack and edit refuse such names with their own code), or null. The
 * same rules as safeSegments, which extraction applies.
 */
export function unsafeNameReason(name: string, platform: NodeJS.Platform = process.platform): string | null {
  const checked = splitSafely(name, platform);
  return typeof checked === 'string' ? checked : null;
}

/** The name's segments, or why it is unsafe. */
function splitSafely(name: string, platform: NodeJS.Platform): string[] | string {
  if (name.length === 0) return 'the name is empty';
  if (name.startsWith('/') || name.startsWith('\\')) return 'it is an absolute path';
  const control = CONTROL_CHARACTER.exec(name);
  if (control) {
    const code = control[0].charCodeAt(0);
    return `it contains the control character U+${code.toString(16).padStart(4, '0')}`;
  }
  // The package lists every name in XML (BlockMap, FilesystemMetadata): U+FFFE, U+FFFF or a lone surrogate
  // passed every check and failed only once the whole payload was compressed (found by review).
  const notXml = invalidXmlCharLabel(name);
  if (notXml !== undefined) return `it contains ${notXml}, which XML (and so a package) cannot carry`;
  const segments = name.split(/[\\/]/);
  if (segments.length > MAX_PATH_DEPTH) return `it nests deeper than ${MAX_PATH_DEPTH} levels`;
  for (const segment of segments) {
    const why = segmentProblem(segment, platform);
    if (why !== null) return why;
  }
  return segments;
}

function segmentProblem(segment: string, platform: NodeJS.Platform): string | null {
  if (segment === '') return 'it has an empty path segment';
  if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
  if (isDriveLetter(segment)) return `its segment ${quoted(segment)} ${driveReading(segment)}`;
  if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
    return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  if (platform === 'win32') {
    if (segment.includes(':')) return 'it contains ":" (an alternate data stream on Windows)';
    const forbidden = WINDOWS_FORBIDDEN.exec(segment);
    if (forbidden) return `it contains "${forbidden[0]}", which no Windows file name holds`;
    if (WINDOWS_DEVICE.test(segment)) return `"${segment}" is a device name on Windows`;
    if (/[. ]$/.test(segment)) return `Windows drops the trailing "${segment.slice(-1)}" of "${segment}"`;
  }
  return null;
}

/** The absolute path a safe name maps to, checked to lie strictly inside `root` (an absolute, resolved path). */
export function resolveInside(root: string, safe: SafeName): string {
  const target = path.resolve(root, ...safe.segments);
  if (Buffer.byteLength(target) > MAX_TARGET_PATH_BYTES) {
    throw new AppvError(
      ErrorCode.EXTRACT_PATH_UNSAFE,
      `Refusing to extract ${quoted(safe.name)}: its path under the target is longer than ${MAX_TARGET_PATH_BYTES} bytes`,
      { part: safe.name },
    );
  }
  if (!isStrictlyInside(root, target)) {
    throw new AppvError(
      ErrorCode.EXTRACT_PATH_UNSAFE,
      `Refusing to extract ${quoted(safe.name)}: it resolves outside the target directory`,
      {
        part: safe.name,
      },
    );
  }
  return target;
}

export function isStrictlyInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative !== '' &&
    !relative.startsWith(`..${path.sep}`) &&
    relative !== '..' &&
    !path.isAbsolute(relative)
  );
}
