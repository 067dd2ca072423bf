/**
 * The raw records of a ZIP file, read field by field (APPNOTE 4.3), independently of the product's reader:
 * for tests that pin the exact bytes a writer emits, not what a reader makes of them.
 */

export interface RawEndRecords {
  /** The classic end of central directory record, 22 bytes at the very end. */
  readonly eocd: {
    readonly offset: number;
    readonly disk: number;
    readonly directoryDisk: number;
    readonly entriesOnDisk: number;
    readonly entries: number;
    readonly directorySize: number;
    readonly directoryOffset: number;
    readonly commentLength: number;
  };
  readonly locator?: {
    readonly offset: number;
    readonly disk: number;
    readonly recordOffset: bigint;
    readonly disks: number;
  };
  readonly zip64?: {
    readonly offset: number;
    readonly recordSize: bigint;
    readonly versionMadeBy: number;
    readonly versionNeeded: number;
    readonly disk: number;
    readonly directoryDisk: number;
    readonly entriesOnDisk: bigint;
    readonly entries: bigint;
    readonly directorySize: bigint;
    readonly directoryOffset: bigint;
  };
}

export function readEndRecords(bytes: Buffer): RawEndRecords {
  const at = bytes.length - 22;
  if (bytes.readUInt32LE(at) !== 0x06054b50) throw new Error('no EOCD in the last 22 bytes');
  const eocd = {
    offset: at,
    disk: bytes.readUInt16LE(at + 4),
    directoryDisk: bytes.readUInt16LE(at + 6),
    entriesOnDisk: bytes.readUInt16LE(at + 8),
    entries: bytes.readUInt16LE(at + 10),
    directorySize: bytes.readUInt32LE(at + 12),
    directoryOffset: bytes.readUInt32LE(at + 16),
    commentLength: bytes.readUInt16LE(at + 20),
  };
  const loc = at - 20;
  if (loc < 0 || bytes.readUInt32LE(loc) !== 0x07064b50) return { eocd };
  const locator = {
    offset: loc,
    disk: bytes.readUInt32LE(loc + 4),
    recordOffset: bytes.readBigUInt64LE(loc + 8),
    disks: bytes.readUInt32LE(loc + 16),
  };
  const z = Number(locator.recordOffset);
  if (bytes.readUInt32LE(z) !== 0x06064b50) throw new Error('the ZIP64 locator points at no ZIP64 EOCD');
  const zip64 = {
    offset: z,
    recordSize: bytes.readBigUInt64LE(z + 4),
    versionMadeBy: bytes.readUInt16LE(z + 12),
    versionNeeded: bytes.readUInt16LE(z + 14),
    disk: bytes.readUInt32LE(z + 16),
    directoryDisk: bytes.readUInt32LE(z + 20),
    entriesOnDisk: bytes.readBigUInt64LE(z + 24),
    entries: bytes.readBigUInt64LE(z + 32),
    directorySize: bytes.readBigUInt64LE(z + 40),
    directoryOffset: bytes.readBigUInt64LE(z + 48),
  };
  return { eocd, locator, zip64 };
}

/** One central directory header exactly as written: 32-bit fields unresolved, the extra field raw. */
export interface RawCentralHeader {
  /** Where the header starts in the file. */
  readonly at: number;
  readonly versionMadeBy: number;
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  readonly time: number;
  readonly date: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly commentLength: number;
  readonly offset: number;
  readonly name: string;
  readonly extra: Buffer;
}

/** Every central directory header, in directory order (where the end records say the directory is). */
export function readCentralDirectory(bytes: Buffer): RawCentralHeader[] {
  const end = readEndRecords(bytes);
  const start = end.zip64 ? Number(end.zip64.directoryOffset) : end.eocd.directoryOffset;
  const size = end.zip64 ? Number(end.zip64.directorySize) : end.eocd.directorySize;
  const headers: RawCentralHeader[] = [];
  for (let at = start; at < start + size; ) {
    if (bytes.readUInt32LE(at) !== 0x02014b50) throw new Error(`no central header at ${at}`);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    headers.push({
      at,
      versionMadeBy: bytes.readUInt16LE(at + 4),
      versionNeeded: bytes.readUInt16LE(at + 6),
      flags: bytes.readUInt16LE(at + 8),
      method: bytes.readUInt16LE(at + 10),
      time: bytes.readUInt16LE(at + 12),
      date: bytes.readUInt16LE(at + 14),
      crc: bytes.readUInt32LE(at + 16),
      compressedSize: bytes.readUInt32LE(at + 20),
      size: bytes.readUInt32LE(at + 24),
      commentLength,
      offset: bytes.readUInt32LE(at + 42),
      name: bytes.toString('latin1', at + 46, at + 46 + nameLength),
      extra: bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return headers;
}

/** A local file header exactly as written. */
export interface RawLocalHeader {
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  readonly time: number;
  readonly date: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly name: string;
  readonly extraLength: number;
}

export function readLocalHeader(bytes: Buffer, at: number): RawLocalHeader {
  if (bytes.readUInt32LE(at) !== 0x04034b50) throw new Error(`no local header at ${at}`);
  const nameLength = bytes.readUInt16LE(at + 26);
  return {
    versionNeeded: bytes.readUInt16LE(at + 4),
    flags: bytes.readUInt16LE(at + 6),
    method: bytes.readUInt16LE(at + 8),
    time: bytes.readUInt16LE(at + 10),
    date: bytes.readUInt16LE(at + 12),
    crc: bytes.readUInt32LE(at + 14),
    compressedSize: bytes.readUInt32LE(at + 18),
    size: bytes.readUInt32LE(at + 22),
    name: bytes.toString('latin1', at + 30, at + 30 + nameLength),
    extraLength: bytes.readUInt16LE(at + 28),
  };
}
