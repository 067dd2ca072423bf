import type { CompressionMethod } from '../zip/compression-method.js';
import {
  CENTRAL_HEADER_SIZE,
  DATA_DESCRIPTOR_ZIP64_SIZE,
  EOCD_SIZE,
  FLAG_DATA_DESCRIPTOR,
  LOCAL_HEADER_SIZE,
  SIG_CENTRAL_HEADER,
  SIG_DATA_DESCRIPTOR,
  SIG_EOCD,
  SIG_LOCAL_HEADER,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  UINT16_SATURATED,
  UINT32_SATURATED,
  ZIP64_EOCD_FIXED_SIZE,
  ZIP64_EOCD_RECORD_SIZE,
  ZIP64_EXTRA_ID,
  ZIP64_LOCATOR_SIZE,
  ZIP64_VERSION,
} from '../zip/signatures.js';
import type { DosDateTime } from './dos-time.js';

/**
 * The records of the block-aligned ZIP64 profile (FORMAT.md §8), each serialized by one function: the
 * profile the AppX SDK writes and every reader accepts. Local headers carry version 45, GP bit 3, zero CRC
 * and sizes and no extra field, so `LfhSize` is always 30 + name length and a streaming client never needs
 * to fetch a header; the true CRC and sizes follow the data in a 24-byte descriptor and sit in the central
 * directory, which grows a ZIP64 extra field only for a value that does not fit in 32 bits.
 */

/** An entry as the central directory records it. */
export interface CentralRecord {
  /** ZIP item name: the encoded part name (ASCII), no leading `/`. */
  readonly zipName: string;
  readonly method: CompressionMethod;
  readonly dosTime: DosDateTime;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the local header in the package. */
  readonly offset: number;
}

/** FORMAT.md §8: a value this large or larger moves into the ZIP64 extra field. */
const ZIP64_THRESHOLD = UINT32_SATURATED;

export function localHeaderSize(zipName: string): number {
  return LOCAL_HEADER_SIZE + Buffer.byteLength(zipName, 'latin1');
}

export function localHeader(zipName: string, method: CompressionMethod, dosTime: DosDateTime): Buffer {
  const name = Buffer.from(zipName, 'latin1');
  const header = Buffer.alloc(LOCAL_HEADER_SIZE + name.length);
  header.writeUInt32LE(SIG_LOCAL_HEADER, 0);
  header.writeUInt16LE(ZIP64_VERSION, 4);
  header.writeUInt16LE(FLAG_DATA_DESCRIPTOR, 6);
  header.writeUInt16LE(method, 8);
  header.writeUInt16LE(dosTime.time, 10);
  header.writeUInt16LE(dosTime.date, 12);
  // CRC (14), sizes (18, 22) stay 0: bit 3 says they follow the data.
  header.writeUInt16LE(name.length, 26);
  // Extra length (28) stays 0: FORMAT.md §8, no LFH extra.
  name.copy(header, LOCAL_HEADER_SIZE);
  return header;
}

export function dataDescriptor(crc: number, compressedSize: number, size: number): Buffer {
  const record = Buffer.alloc(DATA_DESCRIPTOR_ZIP64_SIZE);
  record.writeUInt32LE(SIG_DATA_DESCRIPTOR, 0);
  record.writeUInt32LE(crc >>> 0, 4);
  record.writeBigUInt64LE(BigInt(compressedSize), 8);
  record.writeBigUInt64LE(BigInt(size), 16);
  return record;
}

export function centralHeader(entry: CentralRecord): Buffer {
  const name = Buffer.from(entry.zipName, 'latin1');
  // APPNOTE 4.5.3: the ZIP64 extra holds, in this order, only the fields that are saturated in the header.
  const wide = [entry.size, entry.compressedSize, entry.offset].filter((v) => v >= ZIP64_THRESHOLD);
  const extraLength = wide.length === 0 ? 0 : 4 + 8 * wide.length;
  const header = Buffer.alloc(CENTRAL_HEADER_SIZE + name.length + extraLength);
  const narrow = (value: number) => (value >= ZIP64_THRESHOLD ? UINT32_SATURATED : value);
  header.writeUInt32LE(SIG_CENTRAL_HEADER, 0);
  header.writeUInt16LE(ZIP64_VERSION, 4); // made by: MS-DOS host, spec 4.5
  header.writeUInt16LE(ZIP64_VERSION, 6);
  header.writeUInt16LE(FLAG_DATA_DESCRIPTOR, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(entry.dosTime.time, 12);
  header.writeUInt16LE(entry.dosTime.date, 14);
  header.writeUInt32LE(entry.crc >>> 0, 16);
  header.writeUInt32LE(narrow(entry.compressedSize), 20);
  header.writeUInt32LE(narrow(entry.size), 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt16LE(extraLength, 30);
  // Comment length, disk number, internal and external attributes stay 0 (FORMAT.md §8: no comments).
  header.writeUInt32LE(narrow(entry.offset), 42);
  name.copy(header, CENTRAL_HEADER_SIZE);
  if (extraLength > 0) {
    let at = CENTRAL_HEADER_SIZE + name.length;
    header.writeUInt16LE(ZIP64_EXTRA_ID, at);
    header.writeUInt16LE(8 * wide.length, at + 2);
    at += 4;
    for (const value of wide) {
      header.writeBigUInt64LE(BigInt(value), at);
      at += 8;
    }
  }
  return header;
}

/**
 * FORMAT.md §8: the ZIP64 end record (size 44, versions 45/45) and its locator always, then a classic EOCD
 * whose fields are all saturated, so every reader takes the ZIP64 values whatever the package's size.
 */
export function endRecords(entryCount: number, directoryOffset: number, directorySize: number): Buffer {
  const zip64Offset = directoryOffset + directorySize;
  const out = Buffer.alloc(ZIP64_EOCD_FIXED_SIZE + ZIP64_LOCATOR_SIZE + EOCD_SIZE);
  out.writeUInt32LE(SIG_ZIP64_EOCD, 0);
  out.writeBigUInt64LE(BigInt(ZIP64_EOCD_RECORD_SIZE), 4);
  out.writeUInt16LE(ZIP64_VERSION, 12);
  out.writeUInt16LE(ZIP64_VERSION, 14);
  // Disk numbers (16, 20) stay 0.
  out.writeBigUInt64LE(BigInt(entryCount), 24);
  out.writeBigUInt64LE(BigInt(entryCount), 32);
  out.writeBigUInt64LE(BigInt(directorySize), 40);
  out.writeBigUInt64LE(BigInt(directoryOffset), 48);

  const locator = ZIP64_EOCD_FIXED_SIZE;
  out.writeUInt32LE(SIG_ZIP64_LOCATOR, locator);
  out.writeBigUInt64LE(BigInt(zip64Offset), locator + 8);
  out.writeUInt32LE(1, locator + 16); // total number of disks

  const eocd = locator + ZIP64_LOCATOR_SIZE;
  out.writeUInt32LE(SIG_EOCD, eocd);
  out.writeUInt16LE(UINT16_SATURATED, eocd + 8);
  out.writeUInt16LE(UINT16_SATURATED, eocd + 10);
  out.writeUInt32LE(UINT32_SATURATED, eocd + 12);
  out.writeUInt32LE(UINT32_SATURATED, eocd + 16);
  return out;
}
