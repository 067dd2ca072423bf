import type { Entry, ZipFile } from 'yauzl';
import { yauzl } from '../dependencies.js';
import { AppvError, ErrorCode, isAppvError, toAppvError } from '../errors.js';
import type { Finding, FindingSink } from '../finding.js';
import { MAX_DEFLATE_RATIO } from '../limits.js';
import type { ListedItem } from '../package-item.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { isSupportedMethod, methodName } from './compression-method.js';
import type { EndRecords } from './end-records.js';
import { checkLocalHeader, type LocalHeader, readLocalHeaders, spellsBytes } from './local-header.js';
import {
  EOCD_COMMENT_LENGTH_AT,
  EOCD_SIZE,
  FLAG_ENCRYPTED,
  FLAG_UTF8,
  FLAGS_FORBIDDEN_MASK,
  LOCAL_HEADER_SIZE,
  UINT32_SATURATED,
  ZIP64_EXTRA_ID,
} from './signatures.js';

/** Central directory header: where the disk number the entry starts on lies (APPNOTE 4.3.12). */
const CD_DISK_START_AT = 34;

import { SourceReader } from './source-reader.js';

/**
 * Walks the central directory with yauzl (it already handles ZIP64 extras and hostile structure with care)
 * and checks each entry and its local header against FORMAT.md §8 and §9.2. yauzl's own end-record search
 * is given the archive as it would be without what readEndRecords already reported: a view that ends with
 * the end record, whose comment length reads as zero. Trailing bytes then do not stop the walk, nor does a
 * comment holding a false end-record signature (yauzl stops at the first it finds from the end, and a
 * comment's one made a package that only has a comment unlistable; found by review).
 */
export async function readCentralDirectory(
  source: RandomAccessSource,
  end: EndRecords,
  sink: FindingSink,
  signal?: AbortSignal,
): Promise<ListedItem[]> {
  const odd = new OddEntries();
  let headers = 0;
  const reader = new SourceReader(
    source,
    signal,
    { offset: end.eocdOffset + EOCD_COMMENT_LENGTH_AT, length: 2 },
    (header) => {
      const disk = header.readUInt16LE(CD_DISK_START_AT);
      if (disk !== 0) odd.diskStarts.set(headers, disk);
      headers++;
    },
    end.centralDirectoryOffset,
  );
  let zipfile: ZipFile;
  try {
    zipfile = await yauzl.fromRandomAccessReaderPromise(reader, end.eocdOffset + EOCD_SIZE, {
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false,
      strictFileNames: false,
    });
  } catch (error) {
    throw toAppvError(error, ErrorCode.ZIP_CD_INVALID, { offset: end.centralDirectoryOffset });
  }
  const items: ListedItem[] = [];
  const cdEnd = end.centralDirectoryOffset + end.centralDirectorySize;
  try {
    for await (const entry of zipfile.eachEntry()) items.push(listedItem(entry, items.length, odd));
  } catch (error) {
    // An entry that would start where the directory has ended is one the end records count but the
    // directory does not hold: their count is wrong, not the bytes after the directory (the twin of the
    // check below, for entries that end early).
    const cursor = Number(zipfile.readEntryCursor);
    if (!isAppvError(error) && cursor >= cdEnd) {
      throw new AppvError(
        ErrorCode.ZIP_EOCD_MISMATCH,
        `The end records declare ${end.entryCount} central directory entries, but the directory (ending at offset ${cdEnd}) holds ${items.length}`,
        { offset: cursor, cause: error },
      );
    }
    // yauzl refuses general purpose bit 6 (strong encryption) outright; keep that reason's own code.
    const encrypted = error instanceof Error && /encryption/i.test(error.message);
    throw toAppvError(error, encrypted ? ErrorCode.ZIP_ENCRYPTED : ErrorCode.ZIP_CD_INVALID, {
      offset: end.centralDirectoryOffset,
      part: `central directory entry ${items.length}`,
    });
  } finally {
    zipfile.close();
  }
  const offsets = new Float64Array(items.length);
  items.forEach((item, index) => {
    offsets[index] = item.localHeaderOffset;
  });
  await readLocalHeaders(
    source,
    offsets,
    end.centralDirectoryOffset,
    (index, header) => odd.takeLocalHeader(items[index] as ListedItem, header),
    signal,
  );
  // Findings in directory order, each item's local header ones first, whatever order the reads finished in.
  for (const item of items) {
    odd.reportLocalHeader(item, sink);
    checkCentralEntry(item, odd.commentLength(item.index), source, end, sink);
    checkEntryRecord(item, odd, sink);
  }
  const cursor = Number(zipfile.readEntryCursor);
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
 * The item for one of yauzl's Entry objects, copied out at once (holding 20,000 Entry objects with their
 * buffers and extra-field arrays doubled what listing needs). Until its local header is read, the item is
 * unreadable and its data offset assumes a bare 30-byte header.
 */
function listedItem(entry: Entry, index: number, odd: OddEntries): ListedItem {
  const flags = entry.generalPurposeBitFlag;
  const zipName = decodeRawName(entry.fileNameRaw, flags);
  // Latin-1 (no UTF-8 flag) spells its bytes one per character by construction; only UTF-8 may not.
  if (flags & FLAG_UTF8 && !spellsBytes(zipName, entry.fileNameRaw))
    odd.rawNames.set(index, Buffer.from(entry.fileNameRaw));
  if (entry.fileCommentLength > 0) odd.commentLengths.set(index, entry.fileCommentLength);
  const conflict = zip64Conflict(entry);
  if (conflict !== null) odd.zip64Conflicts.set(index, conflict);
  return {
    index,
    zipName,
    method: entry.compressionMethod,
    flags,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    localHeaderOffset: entry.relativeOffsetOfLocalHeader,
    localHeaderSize: LOCAL_HEADER_SIZE,
    dataOffset: entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_SIZE,
    versionNeeded: entry.versionNeededToExtract,
    localVersionNeeded: 0,
    zip64Extra: entry.extraFields.some((field) => field.id === ZIP64_EXTRA_ID),
    readable: false,
    // Filled in by the OPC layer (opc-package.ts); present from the start so every item has one shape.
    kind: 'part',
    name: zipName,
    contentType: undefined,
  };
}

/**
 * What only a few entries have, kept aside by index rather than in every item: name bytes that `zipName`
 * does not spell one per character, file comments, and local header findings and failures (held so they can
 * be reported in directory order).
 */
class OddEntries {
  readonly rawNames = new Map<number, Buffer>();
  readonly commentLengths = new Map<number, number>();
  /** Disk number where the entry starts, where it is not 0 (central directory offset 34). */
  readonly diskStarts = new Map<number, number>();
  /** Why an entry's ZIP64 extra field contradicts its 32-bit fields. */
  readonly zip64Conflicts = new Map<number, string>();
  private readonly headerFindings = new Map<number, Finding[]>();
  /** The item whose local header is being checked: checkLocalHeader reports synchronously, into headerSink. */
  private current = 0;
  private readonly headerSink: FindingSink = {
    add: (finding) => {
      const list = this.headerFindings.get(this.current);
      if (list) list.push(finding);
      else this.headerFindings.set(this.current, [finding]);
    },
  };

  /** readLocalHeaders hands every item here exactly once: its header, or why it could not be read. */
  takeLocalHeader(item: ListedItem, header: LocalHeader | string): void {
    this.current = item.index;
    if (typeof header === 'string') {
      this.headerSink.add({
        code: header.startsWith('no local header signature')
          ? ErrorCode.ZIP_LFH_INVALID
          : ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
        severity: 'error',
        part: item.zipName,
        offset: item.localHeaderOffset,
        message: `${item.zipName}: ${header}`,
      });
      return;
    }
    item.localHeaderSize = header.size;
    item.dataOffset = item.localHeaderOffset + header.size;
    item.localVersionNeeded = header.versionNeeded;
    item.readable = true;
    checkLocalHeader(item, header, this.rawNames.get(item.index), this.headerSink);
  }

  reportLocalHeader(item: ListedItem, sink: FindingSink): void {
    for (const finding of this.headerFindings.get(item.index) ?? []) sink.add(finding);
  }

  commentLength(index: number): number {
    return this.commentLengths.get(index) ?? 0;
  }
}

/**
 * Where an entry's ZIP64 extra field gives other values than its 32-bit fields, none of which is saturated:
 * yauzl (and APPNOTE) then read the 32-bit fields, while readers that take the extra whenever it is there,
 * as some SDK versions do, read the extra's, so two readers would see two packages (found by review). Only
 * a full extra (sizes and offset, as HelloWorld.appx writes it beside unsaturated fields) can be compared.
 */
function zip64Conflict(entry: Entry): string | null {
  const extra = entry.extraFields.find((field) => field.id === ZIP64_EXTRA_ID)?.data;
  const fields = [
    ['uncompressed size', entry.uncompressedSize],
    ['compressed size', entry.compressedSize],
    ['local header offset', entry.relativeOffsetOfLocalHeader],
  ] as const;
  if (!extra || extra.length < 24 || fields.some(([, value]) => value === UINT32_SATURATED)) return null;
  const differing = fields.flatMap(([what, value], i) => {
    const extended = Number(extra.readBigUInt64LE(8 * i));
    return extended === value ? [] : [`${what} ${extended} (not ${value})`];
  });
  return differing.length === 0 ? null : `its ZIP64 extra field gives ${differing.join(', ')}`;
}

/** The entry's own record beyond what checkCentralEntry sees: its disk, its ZIP64 extra (FORMAT.md §8). */
function checkEntryRecord(item: ListedItem, odd: OddEntries, sink: FindingSink): void {
  const at = { part: item.zipName, offset: item.localHeaderOffset };
  const disk = odd.diskStarts.get(item.index);
  if (disk !== undefined) {
    sink.add({
      code: ErrorCode.ZIP_MULTI_DISK,
      severity: 'error',
      message: `${item.zipName} starts on disk ${disk}; OPC packages are single-disk`,
      ...at,
    });
  }
  const conflict = odd.zip64Conflicts.get(item.index);
  if (conflict !== undefined) {
    sink.add({
      code: ErrorCode.ZIP_CD_INVALID,
      severity: 'error',
      message: `${item.zipName}: ${conflict}; readers that prefer one or the other would read different data`,
      ...at,
    });
  }
}

/** The raw ZIP name bytes as a string (not percent-decoding: that is part-name.ts's decodeItemName). */
function decodeRawName(raw: Buffer, flags: number): string {
  if (flags & FLAG_UTF8) return raw.toString('utf8');
  // Not flagged UTF-8: OPC names are ASCII, so Latin-1 shows any stray byte one-to-one rather than guessing.
  return raw.toString('latin1');
}

/**
 * The central directory checks of FORMAT.md §8 and §9.2 for one item, marking it unreadable where its data
 * cannot be read safely. `readable` is true here only if its local header was read.
 */
function checkCentralEntry(
  item: ListedItem,
  commentLength: number,
  source: RandomAccessSource,
  end: EndRecords,
  sink: FindingSink,
): void {
  const { flags, zipName } = item;
  const hasHeader = item.readable;
  const report = (code: ErrorCode, message: string, severity: 'error' | 'warning' = 'error') =>
    sink.add({ code, severity, message, part: zipName, offset: item.localHeaderOffset });

  if (!isSupportedMethod(item.method)) {
    item.readable = false;
    report(
      ErrorCode.ZIP_METHOD_UNSUPPORTED,
      `${zipName} uses ${methodName(item.method)}; OPC allows only stored (0) and deflate (8)`,
    );
  }
  if (flags & FLAG_ENCRYPTED) {
    item.readable = false;
    report(ErrorCode.ZIP_ENCRYPTED, `${zipName} is encrypted; OPC packages are never encrypted`);
  }
  if (flags & FLAGS_FORBIDDEN_MASK) {
    report(
      ErrorCode.ZIP_FLAGS_FORBIDDEN,
      `${zipName} sets reserved general purpose bits 0x${(flags & FLAGS_FORBIDDEN_MASK).toString(16)}`,
    );
  }
  if (commentLength > 0) {
    report(
      ErrorCode.ZIP_ENTRY_COMMENT,
      `${zipName} has a ${commentLength}-byte file comment; OPC items carry none`,
    );
  }
  if (item.method === 0 && item.compressedSize !== item.uncompressedSize) {
    item.readable = false;
    report(
      ErrorCode.ZIP_STORED_SIZE_MISMATCH,
      `${zipName} is stored but its compressed size (${item.compressedSize}) differs from its size (${item.uncompressedSize})`,
    );
  }
  if (item.method === 8 && item.uncompressedSize > item.compressedSize * MAX_DEFLATE_RATIO + 65_536) {
    item.readable = false;
    report(
      ErrorCode.ZIP_SIZE_LIMIT,
      `${zipName} declares ${item.uncompressedSize} bytes from ${item.compressedSize} compressed bytes, more than deflate can produce`,
    );
  }
  if (hasHeader && item.dataOffset + item.compressedSize > end.centralDirectoryOffset) {
    item.readable = false;
    report(
      ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
      `${zipName}'s ${item.compressedSize} bytes of data at offset ${item.dataOffset} run past the start of the central directory (offset ${end.centralDirectoryOffset}) or the file (${source.size} bytes)`,
    );
  }
}
