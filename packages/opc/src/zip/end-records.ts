import { AppvError, ErrorCode } from '../errors.js';
import type { FindingSink } from '../finding.js';
import { MAX_ENTRIES } from '../limits.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { readUint64 } from './little-endian.js';
import {
  CENTRAL_HEADER_SIZE,
  EOCD_COMMENT_LENGTH_AT,
  EOCD_SIZE,
  SIG_EOCD,
  SIG_LOCAL_HEADER,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  UINT16_SATURATED,
  UINT32_SATURATED,
  ZIP64_EOCD_FIXED_SIZE,
  ZIP64_LOCATOR_SIZE,
  ZIP64_VERSION,
} from './signatures.js';

/** What the end records say, after ZIP64 values replaced the saturated classic ones (FORMAT.md §8). */
export interface EndRecords {
  readonly eocdOffset: number;
  /** Where the archive really ends: EOCD + comment. Bytes after this are trailing data. */
  readonly archiveEnd: number;
  readonly commentLength: number;
  readonly zip64: Zip64EndRecord | null;
  readonly entryCount: number;
  readonly centralDirectoryOffset: number;
  readonly centralDirectorySize: number;
  /** The first byte after the central directory that belongs to the end records. */
  readonly endRecordsOffset: number;
}

export interface Zip64EndRecord {
  readonly locatorOffset: number;
  readonly recordOffset: number;
  readonly recordSize: number;
  readonly versionMadeBy: number;
  readonly versionNeeded: number;
}

interface ClassicEocd {
  offset: number;
  disk: number;
  cdDisk: number;
  entriesOnDisk: number;
  entries: number;
  cdSize: number;
  cdOffset: number;
  commentLength: number;
}

const MAX_COMMENT = 0xffff;

/**
 * Reads and checks the end records (FORMAT.md §9.1). Fatal problems (no EOCD, a central directory that
 * cannot be located) throw; the rest become findings so a verifier can report them all.
 */
export async function readEndRecords(
  source: RandomAccessSource,
  sink: FindingSink,
  signal?: AbortSignal,
): Promise<EndRecords> {
  if (source.size < EOCD_SIZE) {
    throw await withoutEndRecords(
      source,
      `${source.name} is ${source.size} bytes: too small to be a ZIP package (no end of central directory record)`,
      signal,
    );
  }
  const eocd = await findEocd(source, sink, signal);
  const archiveEnd = eocd.offset + EOCD_SIZE + eocd.commentLength;
  const saturated =
    eocd.entries === UINT16_SATURATED ||
    eocd.entriesOnDisk === UINT16_SATURATED ||
    eocd.cdSize === UINT32_SATURATED ||
    eocd.cdOffset === UINT32_SATURATED;

  const zip64 = await readZip64(source, eocd, saturated, sink, signal);
  const result = zip64 ?? {
    record: null,
    entries: eocd.entries,
    cdSize: eocd.cdSize,
    cdOffset: eocd.cdOffset,
  };
  if (!zip64 && (eocd.disk !== 0 || eocd.cdDisk !== 0)) {
    throw new AppvError(ErrorCode.ZIP_MULTI_DISK, 'Multi-disk (spanned) archives are not OPC packages', {
      offset: eocd.offset,
    });
  }
  if (!zip64 && eocd.entries !== eocd.entriesOnDisk) {
    sink.add({
      code: ErrorCode.ZIP_EOCD_MISMATCH,
      severity: 'error',
      offset: eocd.offset,
      message: `End of central directory record counts disagree: ${eocd.entriesOnDisk} on this disk, ${eocd.entries} in total`,
    });
  }

  const endRecordsOffset = zip64?.record.recordOffset ?? eocd.offset;
  checkCentralDirectoryPlacement(result.cdOffset, result.cdSize, result.entries, endRecordsOffset, sink);

  return {
    eocdOffset: eocd.offset,
    archiveEnd,
    commentLength: eocd.commentLength,
    zip64: zip64?.record ?? null,
    entryCount: result.entries,
    centralDirectoryOffset: result.cdOffset,
    centralDirectorySize: result.cdSize,
    endRecordsOffset,
  };
}

/**
 * Searches backwards for the EOCD like every reader must (the comment has no fixed length), then insists on
 * FORMAT.md §8: no archive comment and nothing after the record.
 */
async function findEocd(
  source: RandomAccessSource,
  sink: FindingSink,
  signal?: AbortSignal,
): Promise<ClassicEocd> {
  const tailLength = Math.min(source.size, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE);
  const tailStart = source.size - tailLength;
  const tail = await source.read(tailStart, tailLength, signal);
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== SIG_EOCD) continue;
    const commentLength = tail.readUInt16LE(i + EOCD_COMMENT_LENGTH_AT);
    const recordEnd = i + EOCD_SIZE + commentLength;
    if (recordEnd > tail.length) continue; // a signature inside comment-like bytes; keep searching
    const offset = tailStart + i;
    if (commentLength > 0) {
      sink.add({
        code: ErrorCode.ZIP_ARCHIVE_COMMENT,
        severity: 'error',
        offset,
        message: `The archive has a ${commentLength}-byte comment; OPC packages carry none`,
      });
    }
    if (recordEnd < tail.length) {
      sink.add({
        code: ErrorCode.ZIP_TRAILING_DATA,
        severity: 'error',
        offset: tailStart + recordEnd,
        message: `${tail.length - recordEnd} bytes follow the end of central directory record`,
      });
    }
    return {
      offset,
      disk: tail.readUInt16LE(i + 4),
      cdDisk: tail.readUInt16LE(i + 6),
      entriesOnDisk: tail.readUInt16LE(i + 8),
      entries: tail.readUInt16LE(i + 10),
      cdSize: tail.readUInt32LE(i + 12),
      cdOffset: tail.readUInt32LE(i + 16),
      commentLength,
    };
  }
  throw await withoutEndRecords(
    source,
    `No end of central directory record in ${source.name}: not a ZIP package`,
    signal,
  );
}

/**
 * The error for a file with no end of central directory record. One that starts as every package does, with
 * a local file header, is a package cut short (a download or copy that stopped: the end records are its last
 * bytes), which ZIP_TRUNCATED says; anything else is no package at all.
 */
async function withoutEndRecords(
  source: RandomAccessSource,
  notZip: string,
  signal?: AbortSignal,
): Promise<AppvError> {
  const head = source.size >= 4 ? await source.read(0, 4, signal) : null;
  if (head?.readUInt32LE(0) !== SIG_LOCAL_HEADER) return new AppvError(ErrorCode.ZIP_NOT_A_ZIP, notZip);
  return new AppvError(
    ErrorCode.ZIP_TRUNCATED,
    `${source.name} starts with a ZIP local file header but has no end of central directory record, which every package ends with: it is truncated`,
  );
}

interface Zip64Values {
  record: Zip64EndRecord;
  entries: number;
  cdSize: number;
  cdOffset: number;
}

async function readZip64(
  source: RandomAccessSource,
  eocd: ClassicEocd,
  saturated: boolean,
  sink: FindingSink,
  signal?: AbortSignal,
): Promise<Zip64Values | null> {
  const locatorOffset = eocd.offset - ZIP64_LOCATOR_SIZE;
  const locator = locatorOffset >= 0 ? await source.read(locatorOffset, ZIP64_LOCATOR_SIZE, signal) : null;
  if (!locator || locator.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) {
    if (eocd.cdSize === UINT32_SATURATED || eocd.cdOffset === UINT32_SATURATED) {
      throw new AppvError(
        ErrorCode.ZIP_ZIP64_LOCATOR_MISSING,
        'The end of central directory record is saturated (ZIP64) but no ZIP64 locator precedes it',
        { offset: eocd.offset },
      );
    }
    if (saturated) {
      // FORMAT.md §9.1: any saturated field needs the ZIP64 records; the SDK refuses a count of 0xFFFF
      // without them, though APPNOTE allows exactly 65,535 entries (read as written here).
      sink.add({
        code: ErrorCode.ZIP_ZIP64_LOCATOR_MISSING,
        severity: 'error',
        offset: eocd.offset,
        message:
          'The entry count is 0xFFFF but there is no ZIP64 locator (FORMAT.md §9.1 asks for the ZIP64 records whenever a field is saturated); taking the count as written',
      });
    }
    return null;
  }
  const zip64Disk = locator.readUInt32LE(4);
  const recordOffset = readUint64(locator, 8);
  const totalDisks = locator.readUInt32LE(16);
  if (zip64Disk !== 0 || totalDisks > 1) {
    throw new AppvError(ErrorCode.ZIP_MULTI_DISK, 'The ZIP64 locator describes a multi-disk archive', {
      offset: locatorOffset,
    });
  }
  if (totalDisks !== 1) {
    sink.add({
      code: ErrorCode.ZIP_ZIP64_RECORD_INVALID,
      severity: 'error',
      offset: locatorOffset,
      message: `The ZIP64 locator says the archive has ${totalDisks} disks; a single-disk archive has 1 (FORMAT.md §8)`,
    });
  }
  // The classic record's disk fields stand beside the ZIP64 ones: 0, or saturated to defer to them.
  if (![0, UINT16_SATURATED].includes(eocd.disk) || ![0, UINT16_SATURATED].includes(eocd.cdDisk)) {
    sink.add({
      code: ErrorCode.ZIP_MULTI_DISK,
      severity: 'error',
      offset: eocd.offset,
      message: `The end of central directory record names disk ${eocd.disk} (central directory on disk ${eocd.cdDisk}); OPC packages are single-disk`,
    });
  }
  if (recordOffset + ZIP64_EOCD_FIXED_SIZE > locatorOffset) {
    throw new AppvError(
      ErrorCode.ZIP_ZIP64_RECORD_INVALID,
      `The ZIP64 locator points at offset ${recordOffset}, which leaves no room for a ZIP64 end record before it`,
      { offset: locatorOffset },
    );
  }
  const record = await source.read(recordOffset, ZIP64_EOCD_FIXED_SIZE, signal);
  if (record.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
    throw new AppvError(
      ErrorCode.ZIP_ZIP64_RECORD_INVALID,
      `No ZIP64 end of central directory record at offset ${recordOffset}`,
      { offset: recordOffset },
    );
  }
  const recordSize = readUint64(record, 4);
  const versionMadeBy = record.readUInt16LE(12);
  const versionNeeded = record.readUInt16LE(14);
  const disk = record.readUInt32LE(16);
  const cdDisk = record.readUInt32LE(20);
  const entriesOnDisk = readUint64(record, 24);
  const entries = readUint64(record, 32);
  const cdSize = readUint64(record, 40);
  const cdOffset = readUint64(record, 48);
  if (disk !== 0 || cdDisk !== 0) {
    throw new AppvError(ErrorCode.ZIP_MULTI_DISK, 'The ZIP64 end record describes a multi-disk archive', {
      offset: recordOffset,
    });
  }
  if (recordOffset + 12 + recordSize !== locatorOffset) {
    sink.add({
      code: ErrorCode.ZIP_ZIP64_RECORD_INVALID,
      severity: 'error',
      offset: recordOffset,
      message: `The ZIP64 end record (size field ${recordSize}) does not end where its locator starts (offset ${locatorOffset})`,
    });
  }
  if ((versionMadeBy & 0xff) !== ZIP64_VERSION || versionNeeded !== ZIP64_VERSION) {
    sink.add({
      code: ErrorCode.ZIP_ZIP64_VERSION,
      severity: 'error',
      offset: recordOffset,
      message: `ZIP64 end record versions are ${versionMadeBy & 0xff}/${versionNeeded}; the AppX SDK accepts only 45/45`,
    });
  }
  if (entriesOnDisk !== entries) {
    sink.add({
      code: ErrorCode.ZIP_EOCD_MISMATCH,
      severity: 'error',
      offset: recordOffset,
      message: `ZIP64 end record counts disagree: ${entriesOnDisk} on this disk, ${entries} in total`,
    });
  }
  compareClassicWithZip64(eocd, { entries, cdSize, cdOffset }, sink);
  return {
    record: { locatorOffset, recordOffset, recordSize, versionMadeBy, versionNeeded },
    entries,
    cdSize,
    cdOffset,
  };
}

/** A classic field that is not saturated must equal its ZIP64 twin, or readers will disagree about the archive. */
function compareClassicWithZip64(
  eocd: ClassicEocd,
  zip64: { entries: number; cdSize: number; cdOffset: number },
  sink: FindingSink,
): void {
  const pairs: [string, number, number, number][] = [
    ['entry count', eocd.entries, UINT16_SATURATED, zip64.entries],
    ['central directory size', eocd.cdSize, UINT32_SATURATED, zip64.cdSize],
    ['central directory offset', eocd.cdOffset, UINT32_SATURATED, zip64.cdOffset],
  ];
  for (const [label, classic, saturatedValue, wide] of pairs) {
    if (classic !== saturatedValue && classic !== wide) {
      sink.add({
        code: ErrorCode.ZIP_EOCD_MISMATCH,
        severity: 'error',
        offset: eocd.offset,
        message: `The end of central directory record's ${label} (${classic}) disagrees with the ZIP64 record (${wide})`,
      });
    }
  }
}

function checkCentralDirectoryPlacement(
  cdOffset: number,
  cdSize: number,
  entries: number,
  endRecordsOffset: number,
  sink: FindingSink,
): void {
  if (cdOffset + cdSize > endRecordsOffset) {
    throw new AppvError(
      ErrorCode.ZIP_CD_OUT_OF_BOUNDS,
      `The central directory (${cdSize} bytes at offset ${cdOffset}) runs past the end records at offset ${endRecordsOffset}`,
      { offset: cdOffset },
    );
  }
  if (entries > MAX_ENTRIES) {
    throw new AppvError(
      ErrorCode.ZIP_TOO_MANY_ENTRIES,
      `The archive declares ${entries} entries; more than ${MAX_ENTRIES} is refused`,
    );
  }
  if (entries * CENTRAL_HEADER_SIZE > cdSize) {
    throw new AppvError(
      ErrorCode.ZIP_EOCD_MISMATCH,
      `The archive declares ${entries} entries but its central directory is only ${cdSize} bytes`,
      { offset: cdOffset },
    );
  }
  if (cdOffset + cdSize !== endRecordsOffset) {
    sink.add({
      code: ErrorCode.ZIP_CD_MISPLACED,
      severity: 'error',
      offset: cdOffset + cdSize,
      message: `The central directory ends at offset ${cdOffset + cdSize}, not where the end records start (${endRecordsOffset})`,
    });
  }
}
