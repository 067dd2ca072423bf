/**
 * A hand-written ZIP *crafter* for tests.
 *
 * It is deliberately independent of the product's reader and writer (it shares no code with
 * packages/opc) so that it can serve as an oracle, and it spells out every structure so that any field
 * can be overridden to build hostile input. Defaults follow the profile Microsoft's MSIX SDK writes
 * (FORMAT.md §8):
 *
 * - local header: version needed 45, flags 0x0008, CRC and sizes 0, no extra (LfhSize = 30 + name);
 * - a 24-byte data descriptor with the `PK\7\8` signature after every entry;
 * - central directory: version made by / needed 45, no extra unless a value exceeds 0xFFFFFFFE;
 * - ZIP64 end-of-central-directory record (size 44, versions 45/45) and locator (1 disk), then a
 *   classic EOCD with counts 0xFFFF and size/offset 0xFFFFFFFF.
 *
 * Deflated data uses the block-flushed form of FORMAT.md §3 by default: each 64 KiB of input ends
 * with a Z_FULL_FLUSH, then Z_FINISH adds the final `03 00`.
 */
import zlib from 'node:zlib';

export const BLOCK_SIZE = 65_536;

export const Signature = {
  localFileHeader: 0x04034b50,
  centralDirectoryHeader: 0x02014b50,
  dataDescriptor: 0x08074b50,
  zip64EndOfCentralDirectory: 0x06064b50,
  zip64Locator: 0x07064b50,
  endOfCentralDirectory: 0x06054b50,
} as const;

export const LFH_FIXED_SIZE = 30;
export const CDH_FIXED_SIZE = 46;
export const ZIP64_EOCD_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
export const EOCD_FIXED_SIZE = 22;

/** 2024-01-01 12:00:00 in MS-DOS form: fixed so that crafted archives are deterministic. */
export const DEFAULT_DOS_TIME = 12 << 11;
export const DEFAULT_DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

export type CraftMethod = 'stored' | 'deflate-blocks' | 'deflate-oneshot' | 'raw';

/**
 * `'24'`: signature + CRC + 8-byte sizes (the SDK's). `'16'`: signature + CRC + 4-byte sizes.
 * `'24-nosig'`: the 8-byte-size form without signature (20 bytes). `'12-nosig'`: 4-byte sizes, no
 * signature. `'none'`: no descriptor; the local header then carries CRC and sizes.
 */
export type DataDescriptorKind = 'none' | '16' | '24' | '24-nosig' | '12-nosig';

export interface CraftEntry {
  /** ZIP item name (UTF-8 encoded when a string) or raw bytes. */
  name: string | Buffer;
  /** Uncompressed content. For `raw`, what the declared CRC-32 and uncompressed size are computed from. */
  data?: Buffer;
  /** Default `deflate-blocks`. `raw` writes `compressed` as given, with method 8. */
  method?: CraftMethod;
  /** The bytes to write as item data when `method` is `raw`. */
  compressed?: Buffer;
  /** `deflate-blocks`: drop the final `03 00` (the stream then ends after the last full flush). */
  omitFinalBlock?: boolean;
  /** zlib level for the deflate methods (default 6). */
  level?: number;

  // Declared values (central directory, data descriptor, and local header when there is no descriptor).
  crc32?: number;
  compressedSize?: number;
  uncompressedSize?: number;
  /** General purpose flags, central directory (and local header unless `lfhFlags`). */
  flags?: number;
  /** Method code, central directory (and local header unless `lfhMethod`). */
  methodCode?: number;
  versionMadeBy?: number;
  versionNeeded?: number;
  diskNumberStart?: number;
  internalAttributes?: number;
  externalAttributes?: number;
  dosTime?: number;
  dosDate?: number;
  /** Per-file comment in the central directory. */
  comment?: string | Buffer;
  /** Central directory extra field, verbatim (replaces the generated ZIP64 extra). */
  cdExtra?: Buffer;
  /** Central directory local header offset (a lie: the record is still written where it falls). */
  localHeaderOffset?: number;
  /**
   * `true`: a ZIP64 extra with uncompressed size, compressed size and offset on the central directory
   * entry even when not needed, the 32-bit fields keeping their values (like HelloWorld.appx).
   * `'saturate'`: the same extra, with the three 32-bit fields set to 0xFFFFFFFF.
   * Absent/false: an extra only for values above 0xFFFFFFFE, which are then saturated.
   */
  zip64Extra?: boolean | 'saturate';

  // Local header overrides.
  lfhName?: string | Buffer;
  lfhMethod?: number;
  lfhFlags?: number;
  lfhVersionNeeded?: number;
  lfhExtra?: Buffer;
  lfhCrc32?: number;
  lfhCompressedSize?: number;
  lfhUncompressedSize?: number;
  lfhDosTime?: number;
  lfhDosDate?: number;

  /** Default `'24'` (the SDK profile). */
  dataDescriptor?: DataDescriptorKind;
  /** Write no local record at all (central directory entry only); combine with `localHeaderOffset`. */
  omitLocalRecord?: boolean;
  /** Bytes written after this entry's local record (data descriptor included), before the next one. */
  paddingAfter?: Buffer;
}

export interface Zip64Overrides {
  omitRecord?: boolean;
  omitLocator?: boolean;
  recordSize?: number;
  versionMadeBy?: number;
  versionNeeded?: number;
  diskNumber?: number;
  cdDisk?: number;
  entriesOnDisk?: number;
  totalEntries?: number;
  cdSize?: number;
  cdOffset?: number;
  /** Bytes appended to the record (the "extensible data sector"); `recordSize` follows unless overridden. */
  extensibleData?: Buffer;
  locatorDisk?: number;
  /** Offset of the ZIP64 record as written in the locator. */
  locatorRecordOffset?: number;
  locatorTotalDisks?: number;
}

export interface EocdOverrides {
  diskNumber?: number;
  cdDisk?: number;
  entriesOnDisk?: number;
  totalEntries?: number;
  cdSize?: number;
  cdOffset?: number;
  commentLength?: number;
}

export interface CraftOptions {
  /** Default true: ZIP64 record + locator + saturated classic EOCD. False: classic EOCD with real values. */
  zip64EndRecords?: boolean;
  archiveComment?: string | Buffer;
  /** Bytes after the EOCD (and its comment). */
  trailingBytes?: Buffer;
  /** Bytes before the first local header (all offsets shift accordingly). */
  prefix?: Buffer;
  /** Bytes between the last local record and the central directory. */
  gapBeforeCd?: Buffer;
  /** Bytes between the central directory and the end records (the declared size does not cover them). */
  gapAfterCd?: Buffer;
  eocdOverrides?: EocdOverrides;
  zip64Overrides?: Zip64Overrides;
  /** The central directory offset written in the record that holds it (ZIP64 record when present). */
  cdOffsetOverride?: number;
  /** The central directory size written in the record that holds it. */
  cdSizeOverride?: number;
  /** The entry count written in the record(s) that hold it. */
  entryCountOverride?: number;
  /** Order of the central directory entries, as indices into `entries` (default: same order). */
  cdOrder?: number[];
  /** Default DOS time/date of every entry. */
  dosTime?: number;
  dosDate?: number;
}

export interface CraftEntryLayout {
  index: number;
  name: Buffer;
  /** Where the local header was written (-1 when `omitLocalRecord`). */
  localHeaderOffset: number;
  /** The offset written in the central directory. */
  declaredLocalHeaderOffset: number;
  lfhSize: number;
  dataOffset: number;
  /** Bytes of item data actually written. */
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  method: CraftMethod;
  /** `deflate-blocks`: the compressed length of each 64 KiB block, flush included. Otherwise empty. */
  blockSizes: number[];
  /** `deflate-blocks`: 2 (the `03 00` of Z_FINISH) or 0 when omitted. */
  finalBlockSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  /** End of the local record (after the descriptor, before `paddingAfter`). */
  end: number;
  cdHeaderOffset: number;
  cdHeaderSize: number;
}

export interface CraftLayout {
  entries: CraftEntryLayout[];
  cdOffset: number;
  cdSize: number;
  zip64RecordOffset: number | undefined;
  zip64LocatorOffset: number | undefined;
  eocdOffset: number;
  /** Offset of the first trailing byte (= end of EOCD and comment). */
  trailingOffset: number;
  totalSize: number;
}

export interface CraftResult {
  bytes: Buffer;
  layout: CraftLayout;
}

// ---------------------------------------------------------------------------------------------------
// Building blocks

export function crc32(data: Buffer): number {
  return zlib.crc32(data) >>> 0;
}

export interface DeflatedBlocks {
  compressed: Buffer;
  /** Compressed bytes of each 64 KiB input block, Z_FULL_FLUSH included. */
  blockSizes: number[];
  /** 2 when the Z_FINISH bytes `03 00` end the stream, 0 when omitted. */
  finalBlockSize: number;
}

/**
 * FORMAT.md §3. Each 64 KiB block is compressed from a fresh state ending in Z_FULL_FLUSH. A full flush
 * empties the dictionary, so this is byte-identical to one stream flushed after every block (a test
 * checks that against `zlib.createDeflateRaw().flush(Z_FULL_FLUSH)`); doing it block by block keeps the
 * crafter synchronous (Node's sync zlib closes the handle after one call).
 */
export function deflateBlocks(
  data: Buffer,
  options: { level?: number; omitFinalBlock?: boolean; blockSize?: number } = {},
): DeflatedBlocks {
  const level = options.level ?? 6;
  const blockSize = options.blockSize ?? BLOCK_SIZE;
  const parts: Buffer[] = [];
  const blockSizes: number[] = [];
  for (let start = 0; start < data.length; start += blockSize) {
    const part = zlib.deflateRawSync(data.subarray(start, start + blockSize), {
      level,
      finishFlush: zlib.constants.Z_FULL_FLUSH,
    });
    parts.push(part);
    blockSizes.push(part.length);
  }
  let finalBlockSize = 0;
  if (!options.omitFinalBlock) {
    const fin = zlib.deflateRawSync(Buffer.alloc(0), { level }); // 03 00
    parts.push(fin);
    finalBlockSize = fin.length;
  }
  return { compressed: Buffer.concat(parts), blockSizes, finalBlockSize };
}

export function toBytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** Little-endian field writer over a growable list of chunks. */
class Writer {
  private readonly chunks: Buffer[] = [];
  length = 0;

  u16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(value & 0xffff);
    return this.raw(b);
  }

  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    return this.raw(b);
  }

  u64(value: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)));
    return this.raw(b);
  }

  raw(b: Buffer): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const MAX32 = 0xffffffff;

function u32Field(value: number): number {
  return value > 0xfffffffe ? MAX32 : value;
}

interface Prepared {
  entry: CraftEntry;
  name: Buffer;
  data: Buffer;
  payload: Buffer;
  method: CraftMethod;
  methodCode: number;
  flags: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  blockSizes: number[];
  finalBlockSize: number;
  descriptor: DataDescriptorKind;
}

function prepare(entry: CraftEntry): Prepared {
  const data = entry.data ?? Buffer.alloc(0);
  const method = entry.method ?? 'deflate-blocks';
  let payload: Buffer;
  let blockSizes: number[] = [];
  let finalBlockSize = 0;
  switch (method) {
    case 'stored':
      payload = data;
      break;
    case 'deflate-blocks': {
      const d = deflateBlocks(data, {
        level: entry.level ?? 6,
        omitFinalBlock: entry.omitFinalBlock ?? false,
      });
      payload = d.compressed;
      blockSizes = d.blockSizes;
      finalBlockSize = d.finalBlockSize;
      break;
    }
    case 'deflate-oneshot':
      payload = zlib.deflateRawSync(data, { level: entry.level ?? 6 });
      break;
    case 'raw':
      if (entry.compressed === undefined) throw new Error('craftZip: method raw needs `compressed`');
      payload = entry.compressed;
      break;
  }
  const descriptor = entry.dataDescriptor ?? '24';
  return {
    entry,
    name: toBytes(entry.name),
    data,
    payload,
    method,
    methodCode: entry.methodCode ?? (method === 'stored' ? 0 : 8),
    flags: entry.flags ?? (descriptor === 'none' ? 0 : 0x0008),
    crc: entry.crc32 ?? crc32(data),
    compressedSize: entry.compressedSize ?? payload.length,
    uncompressedSize: entry.uncompressedSize ?? data.length,
    blockSizes,
    finalBlockSize,
    descriptor,
  };
}

function localHeader(p: Prepared, options: CraftOptions): Buffer {
  const e = p.entry;
  const name = e.lfhName === undefined ? p.name : toBytes(e.lfhName);
  const withDescriptor = p.descriptor !== 'none';
  let extra = e.lfhExtra;
  let csize = withDescriptor ? 0 : p.compressedSize;
  let usize = withDescriptor ? 0 : p.uncompressedSize;
  if (extra === undefined && (usize > 0xfffffffe || csize > 0xfffffffe)) {
    // A local ZIP64 extra holds both sizes when either is saturated.
    extra = new Writer().u16(0x0001).u16(16).u64(usize).u64(csize).toBuffer();
    csize = MAX32;
    usize = MAX32;
  }
  extra ??= Buffer.alloc(0);
  return new Writer()
    .u32(Signature.localFileHeader)
    .u16(e.lfhVersionNeeded ?? 45)
    .u16(e.lfhFlags ?? p.flags)
    .u16(e.lfhMethod ?? p.methodCode)
    .u16(e.lfhDosTime ?? e.dosTime ?? options.dosTime ?? DEFAULT_DOS_TIME)
    .u16(e.lfhDosDate ?? e.dosDate ?? options.dosDate ?? DEFAULT_DOS_DATE)
    .u32(e.lfhCrc32 ?? (withDescriptor ? 0 : p.crc))
    .u32(e.lfhCompressedSize ?? csize)
    .u32(e.lfhUncompressedSize ?? usize)
    .u16(name.length)
    .u16(extra.length)
    .raw(name)
    .raw(extra)
    .toBuffer();
}

function dataDescriptor(p: Prepared): Buffer {
  const w = new Writer();
  switch (p.descriptor) {
    case 'none':
      break;
    case '16':
      w.u32(Signature.dataDescriptor).u32(p.crc).u32(p.compressedSize).u32(p.uncompressedSize);
      break;
    case '12-nosig':
      w.u32(p.crc).u32(p.compressedSize).u32(p.uncompressedSize);
      break;
    case '24':
      w.u32(Signature.dataDescriptor).u32(p.crc).u64(p.compressedSize).u64(p.uncompressedSize);
      break;
    case '24-nosig':
      w.u32(p.crc).u64(p.compressedSize).u64(p.uncompressedSize);
      break;
  }
  return w.toBuffer();
}

function centralHeader(p: Prepared, localHeaderOffset: number, options: CraftOptions): Buffer {
  const e = p.entry;
  let usize = u32Field(p.uncompressedSize);
  let csize = u32Field(p.compressedSize);
  let offset = u32Field(localHeaderOffset);
  let extra = e.cdExtra;
  if (extra === undefined) {
    const x = new Writer();
    if (e.zip64Extra) {
      x.u64(p.uncompressedSize).u64(p.compressedSize).u64(localHeaderOffset);
      if (e.zip64Extra === 'saturate') {
        usize = MAX32;
        csize = MAX32;
        offset = MAX32;
      }
    } else {
      // APPNOTE 4.5.3: only the saturated fields, in this order.
      if (usize === MAX32) x.u64(p.uncompressedSize);
      if (csize === MAX32) x.u64(p.compressedSize);
      if (offset === MAX32) x.u64(localHeaderOffset);
    }
    extra =
      x.length === 0
        ? Buffer.alloc(0)
        : Buffer.concat([new Writer().u16(1).u16(x.length).toBuffer(), x.toBuffer()]);
  }
  const comment = e.comment === undefined ? Buffer.alloc(0) : toBytes(e.comment);
  return new Writer()
    .u32(Signature.centralDirectoryHeader)
    .u16(e.versionMadeBy ?? 45)
    .u16(e.versionNeeded ?? 45)
    .u16(p.flags)
    .u16(p.methodCode)
    .u16(e.dosTime ?? options.dosTime ?? DEFAULT_DOS_TIME)
    .u16(e.dosDate ?? options.dosDate ?? DEFAULT_DOS_DATE)
    .u32(p.crc)
    .u32(csize)
    .u32(usize)
    .u16(p.name.length)
    .u16(extra.length)
    .u16(comment.length)
    .u16(e.diskNumberStart ?? 0)
    .u16(e.internalAttributes ?? 0)
    .u32(e.externalAttributes ?? 0)
    .u32(offset)
    .raw(p.name)
    .raw(extra)
    .raw(comment)
    .toBuffer();
}

/** The local record (header, data, descriptor) of one entry, as `craftZip` would write it. */
export function craftLocalRecord(entry: CraftEntry, options: CraftOptions = {}): Buffer {
  const p = prepare(entry);
  return Buffer.concat([localHeader(p, options), p.payload, dataDescriptor(p)]);
}

// ---------------------------------------------------------------------------------------------------

export function craftZip(entries: CraftEntry[], options: CraftOptions = {}): CraftResult {
  const out = new Writer();
  if (options.prefix) out.raw(options.prefix);

  const prepared = entries.map(prepare);
  const layouts: CraftEntryLayout[] = [];
  prepared.forEach((p, index) => {
    const e = p.entry;
    let localHeaderOffset = -1;
    let lfhSize = 0;
    let dataOffset = -1;
    let descriptorOffset = -1;
    let descriptorSize = 0;
    let end = -1;
    if (!e.omitLocalRecord) {
      localHeaderOffset = out.length;
      const lfh = localHeader(p, options);
      lfhSize = lfh.length;
      out.raw(lfh);
      dataOffset = out.length;
      out.raw(p.payload);
      descriptorOffset = out.length;
      const dd = dataDescriptor(p);
      descriptorSize = dd.length;
      out.raw(dd);
      end = out.length;
    }
    if (e.paddingAfter) out.raw(e.paddingAfter);
    layouts.push({
      index,
      name: p.name,
      localHeaderOffset,
      declaredLocalHeaderOffset: e.localHeaderOffset ?? localHeaderOffset,
      lfhSize,
      dataOffset,
      compressedSize: p.payload.length,
      uncompressedSize: p.data.length,
      crc32: crc32(p.data),
      method: p.method,
      blockSizes: p.blockSizes,
      finalBlockSize: p.finalBlockSize,
      descriptorOffset,
      descriptorSize,
      end,
      cdHeaderOffset: -1,
      cdHeaderSize: 0,
    });
  });

  if (options.gapBeforeCd) out.raw(options.gapBeforeCd);

  const cdOffset = out.length;
  const order = options.cdOrder ?? prepared.map((_, i) => i);
  for (const i of order) {
    const p = prepared[i];
    const l = layouts[i];
    if (p === undefined || l === undefined) throw new Error(`craftZip: cdOrder index ${i} out of range`);
    const cdh = centralHeader(p, l.declaredLocalHeaderOffset, options);
    l.cdHeaderOffset = out.length;
    l.cdHeaderSize = cdh.length;
    out.raw(cdh);
  }
  const cdSize = out.length - cdOffset;
  if (options.gapAfterCd) out.raw(options.gapAfterCd);
  const count = options.entryCountOverride ?? order.length;
  const declaredCdOffset = options.cdOffsetOverride ?? cdOffset;
  const declaredCdSize = options.cdSizeOverride ?? cdSize;

  const zip64 = options.zip64EndRecords ?? true;
  const z = options.zip64Overrides ?? {};
  let zip64RecordOffset: number | undefined;
  let zip64LocatorOffset: number | undefined;
  if (zip64) {
    if (!z.omitRecord) {
      zip64RecordOffset = out.length;
      const ext = z.extensibleData ?? Buffer.alloc(0);
      out
        .u32(Signature.zip64EndOfCentralDirectory)
        .u64(z.recordSize ?? 44 + ext.length)
        .u16(z.versionMadeBy ?? 45)
        .u16(z.versionNeeded ?? 45)
        .u32(z.diskNumber ?? 0)
        .u32(z.cdDisk ?? 0)
        .u64(z.entriesOnDisk ?? count)
        .u64(z.totalEntries ?? count)
        .u64(z.cdSize ?? declaredCdSize)
        .u64(z.cdOffset ?? declaredCdOffset)
        .raw(ext);
    }
    if (!z.omitLocator) {
      zip64LocatorOffset = out.length;
      out
        .u32(Signature.zip64Locator)
        .u32(z.locatorDisk ?? 0)
        .u64(z.locatorRecordOffset ?? zip64RecordOffset ?? 0)
        .u32(z.locatorTotalDisks ?? 1);
    }
  }

  const eo = options.eocdOverrides ?? {};
  const comment = options.archiveComment === undefined ? Buffer.alloc(0) : toBytes(options.archiveComment);
  const eocdOffset = out.length;
  out
    .u32(Signature.endOfCentralDirectory)
    .u16(eo.diskNumber ?? 0)
    .u16(eo.cdDisk ?? 0)
    .u16(eo.entriesOnDisk ?? (zip64 ? 0xffff : count))
    .u16(eo.totalEntries ?? (zip64 ? 0xffff : count))
    .u32(eo.cdSize ?? (zip64 ? MAX32 : declaredCdSize))
    .u32(eo.cdOffset ?? (zip64 ? MAX32 : declaredCdOffset))
    .u16(eo.commentLength ?? comment.length)
    .raw(comment);
  const trailingOffset = out.length;
  if (options.trailingBytes) out.raw(options.trailingBytes);

  const bytes = out.toBuffer();
  return {
    bytes,
    layout: {
      entries: layouts,
      cdOffset,
      cdSize,
      zip64RecordOffset,
      zip64LocatorOffset,
      eocdOffset,
      trailingOffset,
      totalSize: bytes.length,
    },
  };
}

/** MS-DOS time and date fields of a UTC date (2-second resolution). */
export function dosDateTime(date: Date): { dosTime: number; dosDate: number } {
  return {
    dosTime: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    dosDate: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}
