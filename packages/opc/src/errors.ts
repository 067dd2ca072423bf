import { describeError, errorPath } from './system-error.js';

/**
 * The one error type of the project, and the one catalogue of codes.
 *
 * It lives at the bottom of the dependency chain (opc ← manifest ← stream ← appv) so that every layer
 * throws, and the verifier reports, the same stable vocabulary. A code never changes meaning once
 * released; the prefix says which layer of FORMAT.md it belongs to.
 */

export const ErrorCode = {
  // I/O and lifecycle
  IO_READ_FAILED: 'IO_READ_FAILED',
  /** An output file is already there and replacing it was not asked for (`overwrite`, `--overwrite`). */
  IO_TARGET_EXISTS: 'IO_TARGET_EXISTS',
  IO_WRITE_FAILED: 'IO_WRITE_FAILED',
  ABORTED: 'ABORTED',
  USAGE: 'USAGE',
  WORKER_FAILED: 'WORKER_FAILED',

  // FORMAT.md §8, §9.1: end records
  ZIP_NOT_A_ZIP: 'ZIP_NOT_A_ZIP',
  ZIP_TRUNCATED: 'ZIP_TRUNCATED',
  ZIP_TRAILING_DATA: 'ZIP_TRAILING_DATA',
  ZIP_ARCHIVE_COMMENT: 'ZIP_ARCHIVE_COMMENT',
  ZIP_MULTI_DISK: 'ZIP_MULTI_DISK',
  ZIP_ZIP64_LOCATOR_MISSING: 'ZIP_ZIP64_LOCATOR_MISSING',
  ZIP_ZIP64_RECORD_INVALID: 'ZIP_ZIP64_RECORD_INVALID',
  ZIP_ZIP64_VERSION: 'ZIP_ZIP64_VERSION',
  ZIP_EOCD_MISMATCH: 'ZIP_EOCD_MISMATCH',
  ZIP_CD_OUT_OF_BOUNDS: 'ZIP_CD_OUT_OF_BOUNDS',
  ZIP_CD_MISPLACED: 'ZIP_CD_MISPLACED',
  ZIP_CD_INVALID: 'ZIP_CD_INVALID',
  ZIP_TOO_MANY_ENTRIES: 'ZIP_TOO_MANY_ENTRIES',

  // FORMAT.md §8, §9.2: central directory and local headers
  ZIP_METHOD_UNSUPPORTED: 'ZIP_METHOD_UNSUPPORTED',
  ZIP_ENCRYPTED: 'ZIP_ENCRYPTED',
  ZIP_FLAGS_FORBIDDEN: 'ZIP_FLAGS_FORBIDDEN',
  ZIP_ENTRY_COMMENT: 'ZIP_ENTRY_COMMENT',
  ZIP_LFH_INVALID: 'ZIP_LFH_INVALID',
  ZIP_LFH_MISMATCH: 'ZIP_LFH_MISMATCH',
  ZIP_LFH_VERSION: 'ZIP_LFH_VERSION',
  ZIP_ENTRY_OUT_OF_BOUNDS: 'ZIP_ENTRY_OUT_OF_BOUNDS',
  ZIP_ENTRY_OVERLAP: 'ZIP_ENTRY_OVERLAP',
  ZIP_STORED_SIZE_MISMATCH: 'ZIP_STORED_SIZE_MISMATCH',
  ZIP_SIZE_LIMIT: 'ZIP_SIZE_LIMIT',
  ZIP_DATA_INVALID: 'ZIP_DATA_INVALID',
  ZIP_SIZE_MISMATCH: 'ZIP_SIZE_MISMATCH',

  // FORMAT.md §8 part names, §9.3
  OPC_NAME_INVALID: 'OPC_NAME_INVALID',
  OPC_NAME_DUPLICATE: 'OPC_NAME_DUPLICATE',
  OPC_NAME_PREFIX: 'OPC_NAME_PREFIX',
  /** A warning: a valid name spelled otherwise than Windows writers spell it (FORMAT.md §8). */
  OPC_NAME_NOT_CANONICAL: 'OPC_NAME_NOT_CANONICAL',
  OPC_DIRECTORY_ENTRY: 'OPC_DIRECTORY_ENTRY',
  OPC_PART_NOT_FOUND: 'OPC_PART_NOT_FOUND',

  // FORMAT.md §9.4
  CONTENT_TYPES_MISSING: 'CONTENT_TYPES_MISSING',
  CONTENT_TYPES_MALFORMED: 'CONTENT_TYPES_MALFORMED',
  CONTENT_TYPES_DUPLICATE: 'CONTENT_TYPES_DUPLICATE',
  CONTENT_TYPES_NO_TYPE: 'CONTENT_TYPES_NO_TYPE',
  CONTENT_TYPES_IN_BLOCKMAP: 'CONTENT_TYPES_IN_BLOCKMAP',

  // FORMAT.md §2, §9.5, §9.6
  BLOCKMAP_MISSING: 'BLOCKMAP_MISSING',
  BLOCKMAP_MALFORMED: 'BLOCKMAP_MALFORMED',
  BLOCKMAP_NAMESPACE: 'BLOCKMAP_NAMESPACE',
  BLOCKMAP_HASH_METHOD: 'BLOCKMAP_HASH_METHOD',
  BLOCKMAP_EMPTY: 'BLOCKMAP_EMPTY',
  BLOCKMAP_DUPLICATE_FILE: 'BLOCKMAP_DUPLICATE_FILE',
  BLOCKMAP_FILE_MISSING: 'BLOCKMAP_FILE_MISSING',
  BLOCKMAP_FILE_UNLISTED: 'BLOCKMAP_FILE_UNLISTED',
  BLOCKMAP_MANIFEST_UNLISTED: 'BLOCKMAP_MANIFEST_UNLISTED',
  BLOCKMAP_FOOTPRINT_LISTED: 'BLOCKMAP_FOOTPRINT_LISTED',
  BLOCKMAP_LFH_SIZE: 'BLOCKMAP_LFH_SIZE',
  BLOCKMAP_SIZE_MISMATCH: 'BLOCKMAP_SIZE_MISMATCH',
  BLOCKMAP_BLOCK_COUNT: 'BLOCKMAP_BLOCK_COUNT',
  BLOCKMAP_BLOCK_SIZE_UNEXPECTED: 'BLOCKMAP_BLOCK_SIZE_UNEXPECTED',
  BLOCKMAP_BLOCK_SIZE_MISSING: 'BLOCKMAP_BLOCK_SIZE_MISSING',
  BLOCKMAP_BLOCK_SIZE_SUM: 'BLOCKMAP_BLOCK_SIZE_SUM',

  // FORMAT.md §3, §9.7
  HASH_MISMATCH: 'HASH_MISMATCH',
  HASH_BLOCK_INFLATE: 'HASH_BLOCK_INFLATE',
  HASH_BLOCK_LENGTH: 'HASH_BLOCK_LENGTH',
  CRC_MISMATCH: 'CRC_MISMATCH',

  // FORMAT.md §4–§6, §9.8
  APPV_PACKAGE_ID_MISSING: 'APPV_PACKAGE_ID_MISSING',
  APPV_VERSION_ID_MISSING: 'APPV_VERSION_ID_MISSING',
  APPV_PART_MISSING: 'APPV_PART_MISSING',
  APPV_MANIFEST_INVALID: 'APPV_MANIFEST_INVALID',
  APPV_STREAMMAP_INVALID: 'APPV_STREAMMAP_INVALID',
  APPV_STREAMMAP_FILE_UNKNOWN: 'APPV_STREAMMAP_FILE_UNKNOWN',
  APPV_STREAMMAP_BLOCK_RANGE: 'APPV_STREAMMAP_BLOCK_RANGE',
  /** A warning: an application's executable (a token path) names no part of the package. */
  APPV_APPLICATION_TARGET_MISSING: 'APPV_APPLICATION_TARGET_MISSING',
  APPV_FSMETA_INVALID: 'APPV_FSMETA_INVALID',
  APPV_FSMETA_MISMATCH: 'APPV_FSMETA_MISMATCH',
  APPV_HISTORY_INVALID: 'APPV_HISTORY_INVALID',
  /**
   * A warning of pack: a kept manifest's name or version was changed and its VersionId kept, so two different
   * packages share one (App-V clients tell packages apart by their ids).
   */
  APPV_IDS_KEPT: 'APPV_IDS_KEPT',
  /** A warning of edit: the package's signature parts are left out (they signed the unedited package). */
  APPV_SIGNATURE_DROPPED: 'APPV_SIGNATURE_DROPPED',
  /** A warning of edit: a configuration file beside the package was kept, and names another PackageId. */
  APPV_CONFIG_KEPT: 'APPV_CONFIG_KEPT',
  /**
   * A warning of edit: the input has findings the edited package no longer has, being about what edit writes
   * anew (headers, end records, [Content_Types].xml, the BlockMap, manifest and history, new ids) or leaves
   * out (directory entries).
   */
  APPV_INPUT_REPAIRED: 'APPV_INPUT_REPAIRED',

  // XML in any footprint part
  XML_MALFORMED: 'XML_MALFORMED',
  XML_DOCTYPE: 'XML_DOCTYPE',
  XML_ENTITY: 'XML_ENTITY',
  XML_NAMESPACE: 'XML_NAMESPACE',
  XML_ENCODING: 'XML_ENCODING',
  XML_TOO_LARGE: 'XML_TOO_LARGE',

  // extraction
  EXTRACT_PATH_UNSAFE: 'EXTRACT_PATH_UNSAFE',

  // writing (pack, edit)
  /** A source file or folder cannot be read (missing, not a regular file, permission, I/O error). */
  PACK_SOURCE_UNREADABLE: 'PACK_SOURCE_UNREADABLE',
  /** A source file changed size while it was being packed. */
  PACK_SOURCE_CHANGED: 'PACK_SOURCE_CHANGED',
  /** Two names that a package must keep apart differ only in case or Unicode normalization. */
  PACK_NAME_COLLISION: 'PACK_NAME_COLLISION',
  /** A name an OPC package cannot carry (FORMAT.md §8). */
  PACK_NAME_INVALID: 'PACK_NAME_INVALID',
  /** Options or inputs that contradict each other or the format (a bad version, a missing part to remove, …). */
  PACK_INPUT_INVALID: 'PACK_INPUT_INVALID',
  /** The writer was used out of order (a part added after finish, …). */
  WRITER_STATE: 'WRITER_STATE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where an error or finding was seen. All optional: fill what is known. */
export interface ErrorLocation {
  /**
   * The item, by its decoded part name (BlockMap form, `Root\Vendor App\a.dll`), whichever layer saw it;
   * an item whose name OPC refuses is named as written in the ZIP (`Root/a%2F..`), since the name itself is
   * what is wrong, as are the ZIP layer's findings read before names are decoded.
   */
  readonly part?: string;
  /**
   * A file on disk the error is about: the package that could not be read, the output that could not be
   * written, a file being extracted. Never in `part`, which names items of a package (found by review:
   * `--json` errors put the package's path in `part`).
   */
  readonly file?: string;
  /** Byte offset in the package (or in the part's XML text, for XML errors). */
  readonly offset?: number;
  /** 0-based 64 KiB block index. */
  readonly block?: number;
}

export interface AppvErrorOptions extends ErrorLocation {
  readonly cause?: unknown;
}

/**
 * Marks an AppvError whichever copy of this package made it: a program can load two (an `appv` built
 * against one version of `@appv/opc`, the program's own import of another), and each has its own class, so
 * `instanceof` alone failed across them (found by review). A registered symbol is the same in both.
 */
const APPV_ERROR = Symbol.for('@appv/opc.AppvError');

/** Every failure the project raises. `code` is stable; `message` is for people. */
export class AppvError extends Error {
  override readonly name = 'AppvError';
  readonly [APPV_ERROR] = true;

  /**
   * `instanceof AppvError` holds for an AppvError of any copy of this package (see APPV_ERROR). A subclass
   * (a tool's `class ToolError extends AppvError`) inherits this method, so it asks the ordinary question
   * for itself: every AppvError was a ToolError (found by review).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked, which may be a subclass
    if (this !== AppvError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return (
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[APPV_ERROR] === true
    );
  }
  readonly code: ErrorCode;
  readonly part: string | undefined;
  readonly offset: number | undefined;
  readonly block: number | undefined;
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.part = options.part;
    this.offset = options.offset;
    this.block = options.block;
    this.file = options.file;
  }
}

export function isAppvError(value: unknown): value is AppvError {
  return value instanceof AppvError;
}

/**
 * An AppvError from deeper down (a source's read knows the offset, not the part) with the part, offset and
 * block it lacks taken from `location`; the error itself when it lacks none of them.
 */
function withLocation(error: AppvError, location: ErrorLocation): AppvError {
  const lacks = (key: keyof ErrorLocation) => error[key] === undefined && location[key] !== undefined;
  if (!lacks('part') && !lacks('offset') && !lacks('block') && !lacks('file')) return error;
  const located = new AppvError(error.code, error.message, {
    part: error.part ?? location.part,
    offset: error.offset ?? location.offset,
    block: error.block ?? location.block,
    file: error.file ?? location.file,
    cause: error.cause,
  });
  located.stack = error.stack;
  return located;
}

/** An AbortSignal's reason as an AppvError, so callers see one error type. */
export function abortError(signal: AbortSignal): AppvError {
  if (!(signal instanceof AbortSignal)) {
    return new AppvError(ErrorCode.USAGE, `abortError takes an AbortSignal, not ${String(signal)}`);
  }
  return new AppvError(ErrorCode.ABORTED, 'The operation was aborted', { cause: signal.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * Wraps anything thrown by a dependency (yauzl, zlib, fs) into an AppvError, keeping AppvErrors as they
 * are, so that no bare TypeError or RangeError reaches a caller.
 */
export function toAppvError(error: unknown, code: ErrorCode, location: ErrorLocation = {}): AppvError {
  if (isAppvError(error)) return withLocation(error, location);
  const path = errorPath(error);
  const message = path === undefined ? describeError(error) : `${path}: ${describeError(error)}`;
  return new AppvError(code, message, { ...location, cause: error });
}
