import yauzl from 'yauzl';
import { ErrorCode, toAppvError } from '../errors.js';
import type { FindingSink } from '../finding.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { isSupportedMethod, methodName } from './compression-method.js';
import type { EndRecords } from './end-records.js';
import { checkLocalHeader, type LocalHeaderFacts } from './local-header.js';
import {
  FLAG_ENCRYPTED,
  FLAG_UTF8,
  FLAGS_FORBIDDEN_MASK,
  LOCAL_HEADER_SIZE,

} from './signatures.js';
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
  const items: ZipItem[] = [];
  try {
    for await (const entry of zipfile.eachEntry()) {
      const facts = await readLocalHeaderFacts(zipfile, entry, source, end, items.length, sink);
      items.push(toZipItem(entry, items.length, facts, source, end, sink));
    }
  } catch (error) {
    // yauzl refuses general purpose bit 6 (strong encryption) outright; keep that reason's own code.
    const encrypted = error instanceof Error && /encryption/i.test(error.message);
    throw toAppvError(error, encrypted ? ErrorCode.ZIP_ENCRYPTED : ErrorCode.ZIP_CD_INVALID, {
      offset: end.centralDirectoryOffset,
      part: `central directory entry ${items.length}`,
    });
  } finally {
    zipfile.close();
  }
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

export function decodeItemName(raw: Buffer, flags: number): string {
  if (flags & FLAG_UTF8) return raw.toString('utf8');
  // Not flagged UTF-8: OPC names are ASCII, so Latin-1 shows any stray byte one-to-one rather than guessing.
  return raw.toString('latin1');
}

async function readLocalHeaderFacts(
  zipfile: yauzl.ZipFile,
  entry: yauzl.Entry,
  source: RandomAccessSource,
  end: EndRecords,
  index: number,
  sink: FindingSink,
): Promise<LocalHeaderFacts | null> {
  const name = decodeItemName(entry.fileNameRaw, entry.generalPurposeBitFlag);
  const lho = entry.relativeOffsetOfLocalHeader;
  if (lho + LOCAL_HEADER_SIZE > end.centralDirectoryOffset) {
    sink.add({
      code: ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
      severity: 'error',
      part: name,
      offset: lho,
      message: `Entry ${index} says its local header is at offset ${lho}, which is not before the central directory (offset ${end.centralDirectoryOffset})`,
    });
    return null;
  }
  try {
    const header = await zipfile.readLocalFileHeaderPromise(entry);
    return checkLocalHeader(entry, header, name, sink);
  } catch (error) {
    const wrapped = toAppvError(error, ErrorCode.ZIP_LFH_INVALID, { part: name, offset: lho });
    if (wrapped.code === ErrorCode.ZIP_TRUNCATED && source.size < end.archiveEnd) throw wrapped;
    sink.add({
      code: wrapped.code === ErrorCode.ZIP_TRUNCATED ? ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS : wrapped.code,
      severity: 'error',
      part: name,
      offset: lho,
      message: `Local header of ${name} at offset ${lho} is unreadable: ${wrapped.message}`,
    });
    return null;
  }
}

function toZipItem(
  entry: yauzl.Entry,
  index: number,
  facts: LocalHeaderFacts | null,
  source: RandomAccessSource,
  end: EndRecords,
  sink: FindingSink,
): ZipItem {
  const flags = entry.generalPurposeBitFlag;
  const zipName = decodeItemName(entry.fileNameRaw, flags);
  const at = { part: zipName, offset: entry.relativeOffsetOfLocalHeader };
  let readable = facts !== null;
  const report = (code: ErrorCode, message: string, severity: 'error' | 'warning' = 'error') =>
    sink.add({ code, severity, message, ...at });

  if (!isSupportedMethod(entry.compressionMethod)) {
    readable = false;
    report(
      ErrorCode.ZIP_METHOD_UNSUPPORTED,
      `${zipName} uses ${methodName(entry.compressionMethod)}; OPC allows only stored (0) and deflate (8)`,
    );
  }
  if (flags & FLAG_ENCRYPTED) {
    readable = false;
    report(ErrorCode.ZIP_ENCRYPTED, `${zipName} is encrypted; OPC packages are never encrypted`);
  }
  if (flags & FLAGS_FORBIDDEN_MASK) {
    report(ErrorCode.ZIP_FLAGS_FORBIDDEN, `${zipName} sets reserved general purpose bits 0x${(flags & FLAGS_FORBIDDEN_MASK).toString(16)}`);
  }
  if (entry.fileCommentLength > 0) {
    report(ErrorCode.ZIP_ENTRY_COMMENT, `${zipName} has a ${entry.fileCommentLength}-byte file comment; OPC items carry none`);
  }
  if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) {
    readable = false;
    report(
      ErrorCode.ZIP_STORED_SIZE_MISMATCH,
      `${zipName} is stored but its compressed size (${entry.compressedSize}) differs from its size (${entry.uncompressedSize})`,
    );
  }
  if (entry.compressionMethod === 8 && entry.uncompressedSize > entry.compressedSize * MAX_DEFLATE_RATIO + 65_536) {
    readable = false;
    report(
      ErrorCode.ZIP_SIZE_LIMIT,
      `${zipName} declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed bytes, more than deflate can produce`,
    );
  }
  const localHeaderSize = facts ? facts.dataOffset - entry.relativeOffsetOfLocalHeader : LOCAL_HEADER_SIZE;
  const dataOffset = facts?.dataOffset ?? entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_SIZE;
  if (facts && dataOffset + entry.compressedSize > end.centralDirectoryOffset) {
    readable = false;
    report(
      ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
      `${zipName}'s ${entry.compressedSize} bytes of data at offset ${dataOffset} run past the start of the central directory (offset ${end.centralDirectoryOffset}) or the file (${source.size} bytes)`,
    );
  }
  return {
    index,
    zipName,
    rawName: Buffer.from(entry.fileNameRaw),
    method: entry.compressionMethod,
    flags,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    localHeaderOffset: entry.relativeOffsetOfLocalHeader,
    localHeaderSize,
    dataOffset,
    versionNeeded: entry.versionNeededToExtract,
    localVersionNeeded: facts?.versionNeeded ?? 0,
    zip64Extra: entry.extraFields.some((field) => field.id === ZIP64_EXTRA_ID),
    readable,
  };
}

