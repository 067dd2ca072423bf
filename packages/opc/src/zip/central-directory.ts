import yauzl from 'yauzl';
import { ErrorCode, toAppvError } from '../errors.js';
import type { FindingSink } from '../finding.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { isSupportedMethod, methodName } from './compression-method.js';
import type { EndRecords } from './end-records.js';
import { checkLocalHeader, type LocalHeader, readLocalHeaders } from './local-header.js';
import { FLAG_ENCRYPTED, FLAG_UTF8, FLAGS_FORBIDDEN_MASK, LOCAL_HEADER_SIZE } from './signatures.js';
import { SourceReader } from './source-reader.js';
import type { ZipItem } from './zip-item.js';

/**
 * Deflate cannot expand data by more than about 1032:1; a declared uncompressed size beyond that (plus a
 * block of slack for tiny items) is a lie, typically a decompression bomb's.
 */
const MAX_DEFLATE_RATIO = 1032;
const ZIP64_EXTRA_ID = 0x0001;

/**
 * Walks the central directory with yauzl (it already handles ZIP64 extras and hostile structure with care)
 * and checks each entry and its local header against FORMAT.md §8 and §9.2. yauzl's own end-record search
 * is given a view that ends where the archive ends, so trailing bytes (reported by readEndRecords) do not
 * stop the walk.
 */
export async function readCentralDirectory(
  source: RandomAccessSource,
  end: EndRecords,
  sink: FindingSink,
  signal?: AbortSignal,
): Promise<ZipItem[]> {
  const reader = new SourceReader(source, signal);
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await yauzl.fromRandomAccessReaderPromise(reader, end.archiveEnd, {
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false,
      strictFileNames: false,
    });
  } catch (error) {
    throw toAppvError(error, ErrorCode.ZIP_CD_INVALID, { offset: end.centralDirectoryOffset });
  }
  const entries: CentralEntry[] = [];
  try {
    for await (const entry of zipfile.eachEntry()) entries.push(centralEntry(entry));
  } catch (error) {
    // yauzl refuses general purpose bit 6 (strong encryption) outright; keep that reason's own code.
    const encrypted = error instanceof Error && /encryption/i.test(error.message);
    throw toAppvError(error, encrypted ? ErrorCode.ZIP_ENCRYPTED : ErrorCode.ZIP_CD_INVALID, {
      offset: end.centralDirectoryOffset,
      part: `central directory entry ${entries.length}`,
    });
  } finally {
    zipfile.close();
  }
  const headers = await readLocalHeaders(
    source,
    entries.map((entry) => entry.localHeaderOffset),
    end.centralDirectoryOffset,
    signal,
  );
  const items = entries.map((entry, index) => {
    const header = headers[index];
    const name = decodeRawName(entry.rawName, entry.flags);
    if (typeof header === 'string' || header === undefined) {
      sink.add({
        code: header?.startsWith('no local header signature')
          ? ErrorCode.ZIP_LFH_INVALID
          : ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
        severity: 'error',
        part: name,
        offset: entry.localHeaderOffset,
        message: `${name}: ${header ?? 'no local header'}`,
      });
      return toZipItem(entry, index, null, source, end, sink);
    }
    checkLocalHeader(entry, header, name, sink);
    return toZipItem(entry, index, header, source, end, sink);
  });
  const cursor = Number(zipfile.readEntryCursor);
  const cdEnd = end.centralDirectoryOffset + end.centralDirectorySize;
  if (cursor !== cdEnd) {
    sink.add({
      code: ErrorCode.ZIP_EOCD_MISMATCH,
      severity: 'error',
      offset: cursor,
      message: `The ${items.length} central directory entries end at offset ${cursor}, but the end records say the directory ends at ${cdEnd}`,
    });
  }
  return items;
}

/**
 * The central directory facts we keep, copied out of yauzl's Entry at once: holding 20,000 Entry objects
 * (with their buffers and extra-field arrays) until the walk ends doubled the memory listing needs.
 */
export interface CentralEntry {
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly commentLength: number;
  readonly localHeaderOffset: number;
  readonly rawName: Buffer;
  readonly zip64Extra: boolean;
}

function centralEntry(entry: yauzl.Entry): CentralEntry {
  return {
    versionNeeded: entry.versionNeededToExtract,
    flags: entry.generalPurposeBitFlag,
    method: entry.compressionMethod,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    commentLength: entry.fileCommentLength,
    localHeaderOffset: entry.relativeOffsetOfLocalHeader,
    rawName: Buffer.from(entry.fileNameRaw),
    zip64Extra: entry.extraFields.some((field) => field.id === ZIP64_EXTRA_ID),
  };
}

/** The raw ZIP name bytes as a string (not percent-decoding: that is part-name.ts's decodeItemName). */
export function decodeRawName(raw: Buffer, flags: number): string {
  if (flags & FLAG_UTF8) return raw.toString('utf8');
  // Not flagged UTF-8: OPC names are ASCII, so Latin-1 shows any stray byte one-to-one rather than guessing.
  return raw.toString('latin1');
}

function toZipItem(
  entry: CentralEntry,
  index: number,
  header: LocalHeader | null,
  source: RandomAccessSource,
  end: EndRecords,
  sink: FindingSink,
): ZipItem {
  const flags = entry.flags;
  const zipName = decodeRawName(entry.rawName, flags);
  const at = { part: zipName, offset: entry.localHeaderOffset };
  let readable = header !== null;
  const report = (code: ErrorCode, message: string, severity: 'error' | 'warning' = 'error') =>
    sink.add({ code, severity, message, ...at });

  if (!isSupportedMethod(entry.method)) {
    readable = false;
    report(
      ErrorCode.ZIP_METHOD_UNSUPPORTED,
      `${zipName} uses ${methodName(entry.method)}; OPC allows only stored (0) and deflate (8)`,
    );
  }
  if (flags & FLAG_ENCRYPTED) {
    readable = false;
    report(ErrorCode.ZIP_ENCRYPTED, `${zipName} is encrypted; OPC packages are never encrypted`);
  }
  if (flags & FLAGS_FORBIDDEN_MASK) {
    report(
      ErrorCode.ZIP_FLAGS_FORBIDDEN,
      `${zipName} sets reserved general purpose bits 0x${(flags & FLAGS_FORBIDDEN_MASK).toString(16)}`,
    );
  }
  if (entry.commentLength > 0) {
    report(
      ErrorCode.ZIP_ENTRY_COMMENT,
      `${zipName} has a ${entry.commentLength}-byte file comment; OPC items carry none`,
    );
  }
  if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
    readable = false;
    report(
      ErrorCode.ZIP_STORED_SIZE_MISMATCH,
      `${zipName} is stored but its compressed size (${entry.compressedSize}) differs from its size (${entry.uncompressedSize})`,
    );
  }
  if (entry.method === 8 && entry.uncompressedSize > entry.compressedSize * MAX_DEFLATE_RATIO + 65_536) {
    readable = false;
    report(
      ErrorCode.ZIP_SIZE_LIMIT,
      `${zipName} declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed bytes, more than deflate can produce`,
    );
  }
  const localHeaderSize = header?.size ?? LOCAL_HEADER_SIZE;
  const dataOffset = entry.localHeaderOffset + localHeaderSize;
  if (header && dataOffset + entry.compressedSize > end.centralDirectoryOffset) {
    readable = false;
    report(
      ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
      `${zipName}'s ${entry.compressedSize} bytes of data at offset ${dataOffset} run past the start of the central directory (offset ${end.centralDirectoryOffset}) or the file (${source.size} bytes)`,
    );
  }
  return {
    index,
    zipName,
    rawName: entry.rawName,
    method: entry.method,
    flags,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    localHeaderOffset: entry.localHeaderOffset,
    localHeaderSize,
    dataOffset,
    versionNeeded: entry.versionNeeded,
    localVersionNeeded: header?.versionNeeded ?? 0,
    zip64Extra: entry.zip64Extra,
    readable,
  };
}
