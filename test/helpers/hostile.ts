import zlib from 'node:zlib';
/**
 * A corpus of hostile and defective packages, each built with the crafter from one small valid App-V
 * package and named for its single defect (FORMAT.md §9). `expectCode` is the code from
 * packages/opc/src/errors.ts that names the defect; `alsoReported` lists every other code the product
 * reports for the same package (consequences of the one defect), so that a test pins the whole set of
 * codes, not just one of them. The product is deterministic here: the same package gives the same codes
 * whatever the thread count or the order in which reads finish.
 */
import type { ErrorCode } from '@appv/opc';
import {
  type AppvFile,
  type AppvPackageSpec,
  type BuiltAppv,
  buildAppvPackage,
  encodeZipName,
  sha256Base64,
} from './appv-builder.js';
import { exeLike, randomBytes } from './make-sample.js';
import { type CraftEntry, type CraftLayout, craftLocalRecord, deflateBlocks } from './zip-crafter.js';

export interface HostileCase {
  name: string;
  bytes: Buffer;
  /** The code that names the defect: it must be among the findings. */
  expectCode: ErrorCode;
  /** Where the `expectCode` finding must point (compared exactly; absent means the finding has none). */
  where?: { part?: string; block?: number };
  /** The other codes reported for this package; with `expectCode`, exactly the set of codes found. */
  alsoReported?: ErrorCode[];
  description: string;
}

const DIR = 'Root\\VFS\\ProgramFilesX86\\Vendor App';
export const BaselineNames = {
  exe: `${DIR}\\app.exe`,
  readme: `${DIR}\\readme.txt`,
  png: `${DIR}\\logo.png`,
  icon: 'Root\\VFS\\Windows\\Installer\\{1D2C3B4A-5E6F-4789-8A9B-0C1D2E3F4A5B}\\app.exe.0.ico',
} as const;

function baselineFiles(): AppvFile[] {
  return [
    { name: BaselineNames.exe, data: exeLike(100 * 1024 + 7, 21) },
    { name: BaselineNames.readme, data: Buffer.from('Vendor App\r\nRead me first.\r\n'.repeat(20)) },
    { name: BaselineNames.png, data: randomBytes(3000, 22), method: 'stored' },
    { name: BaselineNames.icon, data: exeLike(1500, 23) },
  ];
}

/** The valid package every hostile case derives from (fresh objects on every call). */
export function baselineSpec(): AppvPackageSpec {
  return {
    files: baselineFiles(),
    emptyDirectories: ['Root\\VFS\\AppData\\Vendor App'],
    packageId: '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091',
    versionId: '3c4d5e6f-7081-4923-8b4c-5d6e7f809102',
  };
}

export function baselinePackage(): BuiltAppv {
  return buildAppvPackage(baselineSpec());
}

function build(modify: (spec: AppvPackageSpec) => void): BuiltAppv {
  const spec = baselineSpec();
  modify(spec);
  return buildAppvPackage(spec);
}

/** Builds twice: the second time with the layout of the first (for overrides that point at offsets). */
function twoPass(modify: (spec: AppvPackageSpec, layout: CraftLayout | undefined) => void): BuiltAppv {
  const first = build((s) => modify(s, undefined));
  return build((s) => modify(s, first.layout));
}

function file(spec: AppvPackageSpec, name: string): AppvFile {
  const f = spec.files.find((x) => x.name === name);
  if (!f) throw new Error(`no file ${name}`);
  return f;
}

function entryOf(entries: CraftEntry[], zipName: string): CraftEntry {
  const e = entries.find((x) => x.name.toString() === zipName);
  if (!e) throw new Error(`no entry ${zipName}`);
  return e;
}

function entryLayout(layout: CraftLayout, zipName: string) {
  const e = layout.entries.find((x) => x.name.toString() === zipName);
  if (!e) throw new Error(`no entry ${zipName}`);
  return e;
}

// ---------------------------------------------------------------------------------------------------

export interface Truncation {
  label: string;
  offset: number;
  bytes: Buffer;
}

/** The package cut at (and just inside) every structure boundary, from 0 bytes to one byte short. */
export function truncations(pkg: { bytes: Buffer; layout: CraftLayout }): Truncation[] {
  const { bytes, layout } = pkg;
  const points: Array<[string, number]> = [
    ['empty', 0],
    ['signature-only', 4],
  ];
  for (const e of layout.entries) {
    if (e.localHeaderOffset < 0) continue;
    const n = `entry${e.index}`;
    points.push(
      [`${n}-lfh-start`, e.localHeaderOffset],
      [`${n}-lfh-mid`, e.localHeaderOffset + 15],
      [`${n}-lfh-name`, e.localHeaderOffset + 30 + 1],
      [`${n}-data-start`, e.dataOffset],
      [`${n}-data-mid`, e.dataOffset + (e.compressedSize >> 1)],
      [`${n}-descriptor-start`, e.descriptorOffset],
      [`${n}-descriptor-mid`, e.descriptorOffset + (e.descriptorSize >> 1)],
    );
  }
  points.push(['cd-start', layout.cdOffset], ['cd-first-header-mid', layout.cdOffset + 20]);
  for (const e of layout.entries) points.push([`cd-header${e.index}-start`, e.cdHeaderOffset]);
  points.push(['cd-last-byte', layout.cdOffset + layout.cdSize - 1]);
  if (layout.zip64RecordOffset !== undefined) {
    points.push(
      ['zip64-record-start', layout.zip64RecordOffset],
      ['zip64-record-mid', layout.zip64RecordOffset + 28],
    );
  }
  if (layout.zip64LocatorOffset !== undefined) {
    points.push(
      ['zip64-locator-start', layout.zip64LocatorOffset],
      ['zip64-locator-mid', layout.zip64LocatorOffset + 10],
    );
  }
  points.push(
    ['eocd-start', layout.eocdOffset],
    ['eocd-mid', layout.eocdOffset + 11],
    ['eocd-last-byte-missing', layout.eocdOffset + 21],
  );
  const seen = new Set<number>();
  const out: Truncation[] = [];
  for (const [label, offset] of points) {
    if (offset < 0 || offset >= bytes.length || seen.has(offset)) continue;
    seen.add(offset);
    out.push({ label, offset, bytes: bytes.subarray(0, offset) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

const ZIP_README = encodeZipName(BaselineNames.readme);
// Findings locate a well-named part by its decoded name, ZIP-layer findings too (opc-package.ts, byPartName);
// a name OPC refuses is located as written in the ZIP.

const BILLION_LAUGHS =
  '<!DOCTYPE BlockMap [\n' +
  '<!ENTITY lol "lol">\n' +
  '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n' +
  Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 2} "${`&lol${i + 1};`.repeat(10)}">\n`).join('') +
  ']>\r\n';

/** One deflate "block" that inflates to 10 MB of zeros: a single Z_FULL_FLUSH chunk, then `03 00`. */
function bombStream(): { compressed: Buffer; blockSize: number } {
  const tenMb = 10 * 1024 * 1024;
  const d = deflateBlocks(Buffer.alloc(tenMb), { blockSize: tenMb, level: 9 });
  return { compressed: d.compressed, blockSize: d.blockSizes[0] ?? 0 };
}

type Case = Omit<HostileCase, 'bytes'> & { make: () => Buffer };

function cases(): Case[] {
  const nameCase = (
    name: string,
    zipName: string | Buffer,
    blockMapName: string,
    expectCode: ErrorCode,
    alsoReported: ErrorCode[],
    description: string,
  ): Case => ({
    name,
    expectCode,
    where: { part: typeof zipName === 'string' ? zipName : zipName.toString('latin1') },
    alsoReported,
    description,
    make: () =>
      build((s) => {
        s.files.push({ name: blockMapName, zipName, data: Buffer.from('evil'), inFilesystemMetadata: false });
      }).bytes,
  });
  // A payload name under Root\ that FilesystemMetadata.xml does not list (the builder leaves it out).
  const unlistedPayload: ErrorCode[] = ['APPV_FSMETA_MISMATCH'];

  return [
    // ----- end records, FORMAT.md §9.1
    {
      name: 'not-a-zip',
      expectCode: 'ZIP_NOT_A_ZIP',
      description: 'four bytes that are no ZIP signature (like Empty.appx)',
      make: () => Buffer.from('1234', 'latin1'),
    },
    {
      name: 'local-header-signature-only',
      expectCode: 'ZIP_TRUNCATED',
      description: 'four bytes, a local header signature and nothing else: a package cut short',
      make: () => Buffer.from('PK\x03\x04', 'latin1'),
    },
    {
      name: 'cd-offset-beyond-eof',
      expectCode: 'ZIP_CD_OUT_OF_BOUNDS',
      description: 'ZIP64 record puts the central directory at 16 GiB',
      make: () => build((s) => (s.craft = { cdOffsetOverride: 2 ** 34 })).bytes,
    },
    {
      name: 'cd-size-beyond-eof',
      expectCode: 'ZIP_CD_OUT_OF_BOUNDS',
      description: 'ZIP64 record declares a 16 GiB central directory',
      make: () => build((s) => (s.craft = { cdSizeOverride: 2 ** 34 })).bytes,
    },
    {
      name: 'zip32-cd-offset-beyond-eof',
      expectCode: 'ZIP_CD_OUT_OF_BOUNDS',
      description: 'classic EOCD (no ZIP64) puts the central directory past the end of the file',
      make: () => build((s) => (s.craft = { zip64EndRecords: false, cdOffsetOverride: 0x7ffffff0 })).bytes,
    },
    // The directory declared there (its real size from that offset) runs past the end records.
    {
      name: 'cd-offset-at-end-records',
      expectCode: 'ZIP_CD_OUT_OF_BOUNDS',
      description: 'the central directory offset points at the ZIP64 end record',
      make: () =>
        twoPass((s, l) => {
          s.craft = { cdOffsetOverride: l?.zip64RecordOffset ?? 0 };
        }).bytes,
    },
    {
      name: 'cd-offset-inside-cd',
      expectCode: 'ZIP_EOCD_MISMATCH',
      description: 'the central directory starts at its second header (size reduced to match, count not)',
      make: () =>
        twoPass((s, l) => {
          const skip = l?.entries[0]?.cdHeaderSize ?? 0;
          s.craft = { cdOffsetOverride: (l?.cdOffset ?? 0) + skip, cdSizeOverride: (l?.cdSize ?? 0) - skip };
        }).bytes,
    },
    // ZIP_CD_MISPLACED is noticed first, but listing then fails on a local header where a central one must
    // be, and a package that cannot be listed is reported by that reason alone (verify.ts).
    {
      name: 'cd-offset-at-first-local-header',
      expectCode: 'ZIP_CD_INVALID',
      where: { part: 'central directory entry 0' },
      description: 'the central directory offset points at the first local header',
      make: () => build((s) => (s.craft = { cdOffsetOverride: 0 })).bytes,
    },
    {
      name: 'zip64-version-20',
      expectCode: 'ZIP_ZIP64_VERSION',
      description: 'ZIP64 end record with version needed 20 (the SDK accepts only 45)',
      make: () => build((s) => (s.craft = { zip64Overrides: { versionNeeded: 20 } })).bytes,
    },
    {
      name: 'zip64-locator-missing',
      expectCode: 'ZIP_ZIP64_LOCATOR_MISSING',
      description: 'saturated classic EOCD, ZIP64 record present but no locator',
      make: () => build((s) => (s.craft = { zip64Overrides: { omitLocator: true } })).bytes,
    },
    {
      name: 'zip64-locator-points-nowhere',
      expectCode: 'ZIP_ZIP64_RECORD_INVALID',
      description: 'the locator points at offset 0 (a local header), not at the ZIP64 record',
      make: () => build((s) => (s.craft = { zip64Overrides: { locatorRecordOffset: 0 } })).bytes,
    },
    {
      name: 'zip64-record-size-zero',
      expectCode: 'ZIP_ZIP64_RECORD_INVALID',
      description: 'the ZIP64 record declares a size of 0',
      make: () => build((s) => (s.craft = { zip64Overrides: { recordSize: 0 } })).bytes,
    },
    {
      name: 'eocd-count-mismatch',
      expectCode: 'ZIP_EOCD_MISMATCH',
      description: 'ZIP64 record: total entries is one more than entries on this disk and than the CD holds',
      make: () =>
        twoPass((s, l) => {
          s.craft = { zip64Overrides: { totalEntries: (l?.entries.length ?? 0) + 1 } };
        }).bytes,
    },
    {
      name: 'multi-disk',
      expectCode: 'ZIP_MULTI_DISK',
      description: 'end records claim two disks, central directory on disk 1',
      make: () =>
        build((s) => {
          s.craft = {
            zip64Overrides: { diskNumber: 1, cdDisk: 1, locatorTotalDisks: 2 },
            eocdOverrides: { diskNumber: 1, cdDisk: 1 },
          };
        }).bytes,
    },
    // Found by the conformance review: single-disk and record agreement rules that passed.
    {
      name: 'entry-disk-start',
      expectCode: 'ZIP_MULTI_DISK',
      description: 'readme.txt starts on disk 1 (central directory offset 34)',
      make: () =>
        build((s) => {
          const readme = s.files.find((f) => f.name === BaselineNames.readme);
          if (readme) readme.entry = { ...readme.entry, diskNumberStart: 1 };
        }).bytes,
    },
    {
      name: 'locator-zero-disks',
      expectCode: 'ZIP_ZIP64_RECORD_INVALID',
      description: 'the ZIP64 locator says the archive has 0 disks (a single-disk one has 1)',
      make: () => build((s) => (s.craft = { zip64Overrides: { locatorTotalDisks: 0 } })).bytes,
    },
    {
      name: 'eocd-disk-beside-zip64',
      expectCode: 'ZIP_MULTI_DISK',
      description: 'the classic end record names disk 1 beside the ZIP64 records',
      make: () => build((s) => (s.craft = { eocdOverrides: { diskNumber: 1 } })).bytes,
    },
    {
      name: 'zip64-extra-disagrees',
      expectCode: 'ZIP_CD_INVALID',
      description:
        "readme.txt's full ZIP64 extra gives other sizes and offset than its unsaturated 32-bit fields",
      make: () =>
        build((s) => {
          const extra = Buffer.alloc(28);
          extra.writeUInt16LE(0x0001, 0);
          extra.writeUInt16LE(24, 2);
          extra.writeBigUInt64LE(1n, 4);
          extra.writeBigUInt64LE(1n, 12);
          extra.writeBigUInt64LE(0n, 20);
          const readme = s.files.find((f) => f.name === BaselineNames.readme);
          if (readme) readme.entry = { ...readme.entry, cdExtra: extra };
        }).bytes,
    },
    {
      name: 'lfh-descriptor-with-values',
      expectCode: 'ZIP_LFH_INVALID',
      description: 'readme.txt has a data descriptor (bit 3), yet its local header CRC-32 is not 0',
      make: () =>
        build((s) => {
          const readme = s.files.find((f) => f.name === BaselineNames.readme);
          if (readme) readme.entry = { ...readme.entry, lfhCrc32: 0x12345678 };
        }).bytes,
    },
    {
      name: 'registry-directory-entry',
      expectCode: 'APPV_PART_MISSING',
      where: { part: 'Registry.dat' },
      alsoReported: ['OPC_DIRECTORY_ENTRY', 'BLOCKMAP_MALFORMED', 'BLOCKMAP_FILE_MISSING'],
      description: 'Registry.dat/ (a directory entry) where Registry.dat belongs (found by review)',
      make: () =>
        build((s) => {
          s.parts = { ...s.parts, 'Registry.dat': null };
          s.files.push({
            name: 'Registry.dat/',
            zipName: 'Registry.dat/',
            data: Buffer.alloc(0),
            method: 'stored',
            inFilesystemMetadata: false,
          });
        }).bytes,
    },
    {
      name: 'archive-comment',
      expectCode: 'ZIP_ARCHIVE_COMMENT',
      description: 'an archive comment after the EOCD',
      make: () => build((s) => (s.craft = { archiveComment: 'made by a hostile tool' })).bytes,
    },
    {
      name: 'archive-comment-false-eocd',
      expectCode: 'ZIP_ARCHIVE_COMMENT',
      description:
        'an archive comment holding a false end-record signature (found by review: the package could not be listed)',
      make: () =>
        build((s) => {
          const comment = Buffer.alloc(30);
          comment.writeUInt32LE(0x06054b50, 4); // "PK\x05\x06"
          comment.writeUInt16LE(0xffff, 4 + 20); // a comment length past the end of the file
          s.craft = { archiveComment: comment };
        }).bytes,
    },
    {
      name: 'trailing-garbage',
      expectCode: 'ZIP_TRAILING_DATA',
      description: '100 bytes after the EOCD that the comment length does not cover',
      make: () => build((s) => (s.craft = { trailingBytes: randomBytes(100, 99) })).bytes,
    },

    // ----- central directory and local headers, FORMAT.md §9.2
    // A local header must lie before the central directory, a boundary like the end of the file:
    // ZIP_ENTRY_OUT_OF_BOUNDS (ZIP_ENTRY_OVERLAP is for two entries), here and in entry-data-overlaps-cd.
    {
      name: 'lfh-offset-at-cd',
      expectCode: 'ZIP_ENTRY_OUT_OF_BOUNDS',
      where: { part: BaselineNames.readme },
      description: "an entry's local header offset points at the central directory",
      make: () =>
        twoPass((s, l) => {
          file(s, BaselineNames.readme).entry = { localHeaderOffset: l?.cdOffset ?? 0 };
        }).bytes,
    },
    {
      name: 'lfh-offset-at-eocd',
      expectCode: 'ZIP_ENTRY_OUT_OF_BOUNDS',
      where: { part: BaselineNames.readme },
      description: "an entry's local header offset points at the classic EOCD",
      make: () =>
        twoPass((s, l) => {
          file(s, BaselineNames.readme).entry = { localHeaderOffset: l?.eocdOffset ?? 0 };
        }).bytes,
    },
    {
      name: 'lfh-offset-beyond-eof',
      expectCode: 'ZIP_ENTRY_OUT_OF_BOUNDS',
      description: "an entry's local header offset is 8 GiB (in a ZIP64 extra)",
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { localHeaderOffset: 2 ** 33 })).bytes,
    },
    {
      name: 'entries-overlap',
      expectCode: 'ZIP_ENTRY_OVERLAP',
      description:
        'the stored data of outer.bin is a complete local record (header, data, descriptor) of readme.txt, ' +
        "and readme.txt's central directory entry points into it; everything else is consistent",
      make: () =>
        twoPass((s, l) => {
          const readme = file(s, BaselineNames.readme);
          const outerName = `${DIR}\\outer.bin`;
          s.files.push({
            name: outerName,
            method: 'stored',
            data: craftLocalRecord({ name: ZIP_README, data: readme.data, method: 'deflate-blocks' }),
          });
          const outer = l ? entryLayout(l, encodeZipName(outerName)) : undefined;
          readme.entry = { omitLocalRecord: true, localHeaderOffset: outer?.dataOffset ?? 0 };
        }).bytes,
    },
    {
      name: 'entry-data-overlaps-cd',
      expectCode: 'ZIP_ENTRY_OUT_OF_BOUNDS',
      where: { part: '[Content_Types].xml' },
      alsoReported: ['ZIP_DATA_INVALID'],
      description:
        'the compressed size of the last entry ([Content_Types].xml) runs 100 bytes into the central directory',
      make: () =>
        build((s) => {
          s.tamper = {
            entries: (entries) => {
              const ct = entryOf(entries, '[Content_Types].xml');
              ct.compressedSize = deflateBlocks(ct.data ?? Buffer.alloc(0)).compressed.length + 100;
              return entries;
            },
          };
        }).bytes,
    },
    {
      name: 'encrypted-flag',
      expectCode: 'ZIP_ENCRYPTED',
      description: 'general purpose bit 0 (encrypted) on a payload entry, local header and central directory',
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { flags: 0x0009 })).bytes,
    },
    {
      name: 'strong-encryption-flag',
      expectCode: 'ZIP_ENCRYPTED',
      where: { part: 'central directory entry 1' },
      description: 'general purpose bits 0 and 6 (strong encryption)',
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { flags: 0x0049 })).bytes,
    },
    {
      name: 'flag-bit-13',
      expectCode: 'ZIP_FLAGS_FORBIDDEN',
      description: 'general purpose bit 13 (masked local headers) set',
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { flags: 0x2008 })).bytes,
    },
    {
      name: 'method-12-bzip2',
      expectCode: 'ZIP_METHOD_UNSUPPORTED',
      description: 'compression method 12 (bzip2) in local header and central directory',
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { methodCode: 12 })).bytes,
    },
    {
      name: 'entry-comment',
      expectCode: 'ZIP_ENTRY_COMMENT',
      description: 'a per-file comment in the central directory',
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { comment: 'hello' })).bytes,
    },
    {
      name: 'lfh-name-mismatch',
      expectCode: 'ZIP_LFH_MISMATCH',
      description: 'the local header names a different item (same length) than the central directory',
      make: () =>
        build(
          (s) => (file(s, BaselineNames.readme).entry = { lfhName: ZIP_README.replace('readme', 'README') }),
        ).bytes,
    },
    {
      name: 'lfh-method-mismatch',
      expectCode: 'ZIP_LFH_MISMATCH',
      description: 'the local header says stored, the central directory deflate',
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { lfhMethod: 0 })).bytes,
    },
    {
      name: 'lfh-version-10',
      expectCode: 'ZIP_LFH_VERSION',
      description: 'local header version needed 10 (the SDK accepts 20 and 45 only)',
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { lfhVersionNeeded: 10 })).bytes,
    },
    {
      name: 'stored-size-mismatch',
      expectCode: 'ZIP_STORED_SIZE_MISMATCH',
      where: { part: BaselineNames.png },
      alsoReported: ['BLOCKMAP_SIZE_MISMATCH'],
      description: 'a stored entry whose uncompressed size is 10 more than its compressed size',
      make: () => build((s) => (file(s, BaselineNames.png).entry = { uncompressedSize: 3010 })).bytes,
    },
    {
      name: 'crc-mismatch',
      expectCode: 'CRC_MISMATCH',
      description: 'the central directory CRC-32 of a payload file is wrong (BlockMap hashes are right)',
      make: () => build((s) => (file(s, BaselineNames.exe).entry = { crc32: 0x12345678 })).bytes,
    },

    // ----- decompression bombs
    {
      name: 'block-inflates-past-64k',
      expectCode: 'HASH_BLOCK_LENGTH',
      where: { part: `${DIR}\\bomb.bin`, block: 0 },
      description:
        'bomb.bin: CD and BlockMap say one 64 KiB block of zeros (CRC and hash of that), ' +
        'but the block (BlockMap Size matching its compressed length) inflates to 10 MB of zeros',
      make: () => {
        const bomb = bombStream();
        const name = `${DIR}\\bomb.bin`;
        return build((s) => {
          s.files.push({
            name,
            data: Buffer.alloc(65_536),
            entry: { method: 'raw', compressed: bomb.compressed },
          });
          s.tamper = {
            blockMap: (files) => {
              const f = files.find((x) => x.name === name);
              if (f?.blocks[0]) f.blocks[0].size = bomb.blockSize;
              return files;
            },
          };
        }).bytes;
      },
    },
    {
      name: 'declared-size-4tb',
      expectCode: 'ZIP_SIZE_LIMIT',
      where: { part: BaselineNames.exe },
      alsoReported: ['BLOCKMAP_SIZE_MISMATCH'],
      description:
        'the central directory (ZIP64 extra) declares 4 TiB for app.exe; the BlockMap the real size',
      make: () => build((s) => (file(s, BaselineNames.exe).entry = { uncompressedSize: 4 * 2 ** 40 })).bytes,
    },
    {
      name: 'declared-size-4tb-in-blockmap-too',
      expectCode: 'ZIP_SIZE_LIMIT',
      where: { part: BaselineNames.exe },
      alsoReported: ['BLOCKMAP_BLOCK_COUNT'],
      description: 'central directory and BlockMap both declare 4 TiB for app.exe, with its 2 real blocks',
      make: () =>
        build((s) => {
          file(s, BaselineNames.exe).entry = { uncompressedSize: 4 * 2 ** 40 };
          s.tamper = {
            blockMap: (files) => {
              const f = files.find((x) => x.name === BaselineNames.exe);
              if (f) f.size = 4 * 2 ** 40;
              return files;
            },
          };
        }).bytes,
    },

    // ----- BlockMap, FORMAT.md §2, §3, §9.5–9.7
    {
      name: 'deflate-oneshot-multiblock',
      expectCode: 'HASH_BLOCK_INFLATE',
      where: { part: BaselineNames.exe, block: 1 },
      alsoReported: ['HASH_BLOCK_LENGTH', 'HASH_MISMATCH'],
      description:
        'app.exe deflated in one shot (no per-block flush); the BlockMap sizes add up but split it arbitrarily',
      make: () => build((s) => (file(s, BaselineNames.exe).method = 'deflate-oneshot')).bytes,
    },
    {
      name: 'block-hash-mismatch',
      expectCode: 'HASH_MISMATCH',
      where: { part: BaselineNames.exe, block: 1 },
      description: 'the BlockMap hash of the second block of app.exe is the hash of something else',
      make: () =>
        build((s) => {
          s.tamper = {
            blockMap: (files) => {
              const b = files.find((x) => x.name === BaselineNames.exe)?.blocks[1];
              if (b) b.hash = sha256Base64(Buffer.from('something else'));
              return files;
            },
          };
        }).bytes,
    },
    ...(
      [
        [
          'blockmap-lfhsize-wrong',
          'BLOCKMAP_LFH_SIZE',
          'LfhSize of readme.txt one too large',
          BaselineNames.readme,
          (f) => f.lfhSize++,
        ],
        [
          'blockmap-size-mismatch',
          'BLOCKMAP_SIZE_MISMATCH',
          'Size of readme.txt one too large',
          BaselineNames.readme,
          (f) => f.size++,
        ],
        [
          'blockmap-block-count',
          'BLOCKMAP_BLOCK_COUNT',
          'the last block of app.exe left out',
          BaselineNames.exe,
          (f) => f.blocks.pop(),
          // The sizes of the blocks left add up to less than the compressed size, too.
          { alsoReported: ['BLOCKMAP_BLOCK_SIZE_SUM'] },
        ],
        [
          'blockmap-block-size-missing',
          'BLOCKMAP_BLOCK_SIZE_MISSING',
          'a block of deflated app.exe without Size',
          BaselineNames.exe,
          (f) => delete f.blocks[1]?.size,
          { where: { part: BaselineNames.exe, block: 1 } },
        ],
        [
          'blockmap-block-size-on-stored',
          'BLOCKMAP_BLOCK_SIZE_UNEXPECTED',
          'a Size on the block of stored logo.png (only Size = 65536 is tolerated, as a warning)',
          BaselineNames.png,
          (f) => {
            if (f.blocks[0]) f.blocks[0].size = 2999;
          },
          { where: { part: BaselineNames.png, block: 0 } },
        ],
        [
          'blockmap-block-size-on-stored-length',
          'BLOCKMAP_BLOCK_SIZE_UNEXPECTED',
          'a Size equal to its length on the block of stored logo.png, which the SDK refuses (found by review)',
          BaselineNames.png,
          (f) => {
            if (f.blocks[0]) f.blocks[0].size = 3000;
          },
          { where: { part: BaselineNames.png, block: 0 } },
        ],
        [
          'blockmap-slash-name',
          'BLOCKMAP_MALFORMED',
          'readme.txt named with "/" in the BlockMap, where names use "\\" (found by review)',
          BaselineNames.readme,
          (f) => {
            f.name = f.name.replaceAll('\\', '/');
          },
          { where: { part: BaselineNames.readme.replaceAll('\\', '/') } },
        ],
        [
          'blockmap-block-size-sum',
          'BLOCKMAP_BLOCK_SIZE_SUM',
          'the block sizes of app.exe add up to 7 more than the compressed size',
          BaselineNames.exe,
          (f) => {
            if (f.blocks[1]) f.blocks[1].size = (f.blocks[1].size ?? 0) + 7;
          },
        ],
      ] as Array<
        [
          string,
          ErrorCode,
          string,
          string,
          (f: {
            name: string;
            lfhSize: number;
            size: number;
            blocks: Array<{ hash: string; size?: number }>;
          }) => unknown,
          Pick<HostileCase, 'where' | 'alsoReported'>?,
        ]
      >
    ).map(
      ([name, expectCode, description, target, edit, pin]): Case => ({
        name,
        expectCode,
        where: pin?.where ?? { part: target },
        ...(pin?.alsoReported ? { alsoReported: pin.alsoReported } : {}),
        description,
        make: () =>
          build((s) => {
            s.tamper = {
              blockMap: (files) => {
                const f = files.find((x) => x.name === target);
                if (f) edit(f);
                return files;
              },
            };
          }).bytes,
      }),
    ),
    {
      name: 'blockmap-file-missing',
      expectCode: 'BLOCKMAP_FILE_MISSING',
      description: 'the BlockMap describes Root\\ghost.dll, which the ZIP does not hold',
      make: () =>
        build((s) => {
          s.tamper = {
            blockMap: (files) => [...files, { name: 'Root\\ghost.dll', size: 0, lfhSize: 44, blocks: [] }],
          };
        }).bytes,
    },
    {
      name: 'blockmap-file-unlisted',
      expectCode: 'BLOCKMAP_FILE_UNLISTED',
      description: 'readme.txt is in the ZIP but not in the BlockMap',
      make: () => build((s) => (file(s, BaselineNames.readme).inBlockMap = false)).bytes,
    },
    {
      name: 'blockmap-manifest-unlisted',
      expectCode: 'BLOCKMAP_MANIFEST_UNLISTED',
      description: 'AppxManifest.xml is in the ZIP but not in the BlockMap',
      make: () =>
        build((s) => {
          s.tamper = { blockMap: (files) => files.filter((f) => f.name !== 'AppxManifest.xml') };
        }).bytes,
    },
    {
      name: 'blockmap-duplicate-file',
      expectCode: 'BLOCKMAP_DUPLICATE_FILE',
      description: 'readme.txt described twice',
      make: () =>
        build((s) => {
          s.tamper = {
            blockMap: (files) => {
              const f = files.find((x) => x.name === BaselineNames.readme);
              return f ? [...files, { ...f }] : files;
            },
          };
        }).bytes,
    },
    {
      name: 'blockmap-duplicate-file-separators',
      expectCode: 'BLOCKMAP_DUPLICATE_FILE',
      description: 'readme.txt described twice, once with / separators (found by review: verify passed it)',
      make: () =>
        build((s) => {
          s.tamper = {
            blockMap: (files) => {
              const f = files.find((x) => x.name === BaselineNames.readme);
              return f ? [...files, { ...f, name: f.name.replaceAll('\\', '/') }] : files;
            },
          };
        }).bytes,
    },
    {
      name: 'no-manifest',
      expectCode: 'APPV_PART_MISSING',
      description: 'no AppxManifest.xml at all, nor in the BlockMap (found by review: verify passed it)',
      make: () =>
        build((s) => {
          s.tamper = {
            blockMap: (files) => files.filter((f) => f.name !== 'AppxManifest.xml'),
            entries: (entries) => entries.filter((e) => e.name.toString() !== 'AppxManifest.xml'),
          };
        }).bytes,
    },
    {
      name: 'blockmap-lists-content-types',
      expectCode: 'CONTENT_TYPES_IN_BLOCKMAP',
      description: 'the BlockMap describes [Content_Types].xml (like ContentTypes_in_blockmap.appx)',
      make: () =>
        build((s) => {
          s.tamper = {
            blockMap: (files) => [
              ...files,
              { name: '[Content_Types].xml', size: 0, lfhSize: 49, blocks: [] },
            ],
          };
        }).bytes,
    },
    {
      name: 'blockmap-missing',
      expectCode: 'BLOCKMAP_MISSING',
      description: 'no AppxBlockMap.xml',
      make: () =>
        build((s) => {
          s.tamper = {
            entries: (entries) => entries.filter((e) => e.name.toString() !== 'AppxBlockMap.xml'),
          };
        }).bytes,
    },
    {
      name: 'blockmap-namespace',
      expectCode: 'BLOCKMAP_NAMESPACE',
      description: 'the BlockMap root is in an unknown namespace',
      make: () =>
        build((s) => {
          s.tamper = { blockMapXml: (xml) => xml.replace('appx/2010/blockmap', 'appx/2099/blockmap') };
        }).bytes,
    },
    {
      name: 'blockmap-hash-method',
      expectCode: 'BLOCKMAP_HASH_METHOD',
      description: 'HashMethod is MD5',
      make: () =>
        build((s) => {
          s.tamper = {
            blockMapXml: (xml) =>
              xml.replace(
                'http://www.w3.org/2001/04/xmlenc#sha256',
                'http://www.w3.org/2001/04/xmldsig-more#md5',
              ),
          };
        }).bytes,
    },
    {
      name: 'blockmap-empty',
      expectCode: 'BLOCKMAP_EMPTY',
      where: { part: 'AppxBlockMap.xml' },
      alsoReported: ['BLOCKMAP_FILE_UNLISTED', 'BLOCKMAP_MANIFEST_UNLISTED', 'APPV_STREAMMAP_FILE_UNKNOWN'],
      description: 'a BlockMap without any File',
      make: () => build((s) => (s.tamper = { blockMap: () => [] })).bytes,
    },
    // Not well-formed XML: the XML reader's code, for every footprint part alike. BLOCKMAP_MALFORMED and
    // CONTENT_TYPES_MALFORMED are for well-formed documents of the wrong shape.
    {
      name: 'blockmap-malformed',
      expectCode: 'XML_MALFORMED',
      where: { part: 'AppxBlockMap.xml' },
      description: 'the BlockMap XML is cut in the middle of a tag',
      make: () => build((s) => (s.tamper = { blockMapXml: (xml) => xml.slice(0, xml.length - 30) })).bytes,
    },
    {
      name: 'blockmap-billion-laughs',
      expectCode: 'XML_DOCTYPE',
      description:
        'a DOCTYPE with nested entities (10^9 expansions) before the BlockMap, &lol9; used in a Name',
      make: () =>
        build((s) => {
          s.tamper = {
            blockMapXml: (xml) =>
              xml
                .replace('\r\n<BlockMap', `\r\n${BILLION_LAUGHS}<BlockMap`)
                .replace(`Name="${BaselineNames.readme}"`, 'Name="&lol9;"'),
          };
        }).bytes,
    },

    // ----- content types, FORMAT.md §9.4
    {
      name: 'content-types-missing',
      expectCode: 'CONTENT_TYPES_MISSING',
      description: 'no [Content_Types].xml',
      make: () =>
        build((s) => {
          s.tamper = {
            entries: (entries) => entries.filter((e) => e.name.toString() !== '[Content_Types].xml'),
          };
        }).bytes,
    },
    {
      name: 'content-types-malformed',
      expectCode: 'XML_MALFORMED',
      where: { part: '[Content_Types].xml' },
      description: '[Content_Types].xml is not well-formed',
      make: () =>
        build((s) => (s.tamper = { contentTypesXml: (xml) => xml.replace('</Types>', '</Typ>') })).bytes,
    },
    {
      name: 'content-types-no-type',
      expectCode: 'CONTENT_TYPES_NO_TYPE',
      description: 'no Default for the .exe extension and no Override for app.exe',
      make: () =>
        build(
          (s) =>
            (s.tamper = { contentTypesXml: (xml) => xml.replace(/<Default Extension="exe"[^>]*\/>/, '') }),
        ).bytes,
    },
    {
      name: 'content-types-duplicate',
      expectCode: 'CONTENT_TYPES_DUPLICATE',
      description: 'two Default elements for the extension txt (case-insensitively equal)',
      make: () =>
        build((s) => {
          s.tamper = {
            contentTypesXml: (xml) =>
              xml.replace('<Override', '<Default Extension="TXT" ContentType="text/plain"/><Override'),
          };
        }).bytes,
    },

    // ----- part names, FORMAT.md §8, §9.3
    nameCase(
      'name-dot-dot',
      'Root/../evil.txt',
      'Root\\..\\evil.txt',
      'OPC_NAME_INVALID',
      unlistedPayload,
      'a `..` segment',
    ),
    nameCase(
      'name-drive-letter',
      'C:/Windows/evil.txt',
      'C:\\Windows\\evil.txt',
      // Like every other name FORMAT.md §8 rules out.
      'OPC_NAME_INVALID',
      [],
      'a name starting with a drive letter',
    ),
    nameCase(
      'name-encoded-drive-letter',
      'C%3A/x.txt',
      'C:\\x.txt',
      'OPC_NAME_INVALID',
      [],
      'a drive letter behind an encoded colon (`C%3A`), which extraction refuses (found by review)',
    ),
    nameCase(
      'name-leading-slash',
      '/Root/evil.txt',
      '\\Root\\evil.txt',
      'OPC_NAME_INVALID',
      [],
      'a leading `/`',
    ),
    nameCase(
      'name-leading-backslash',
      '\\Root\\evil.txt',
      '\\Root\\evil.txt',
      'OPC_NAME_INVALID',
      [],
      'a leading `\\` (and backslash separators)',
    ),
    nameCase(
      'name-backslash-inside',
      'Root/a\\evil.txt',
      'Root\\a\\evil.txt',
      'OPC_NAME_INVALID',
      unlistedPayload,
      'a backslash inside',
    ),
    nameCase(
      'name-encoded-dot-dot',
      'Root/%2E%2E/evil.txt',
      'Root\\..\\evil.txt',
      'OPC_NAME_INVALID',
      unlistedPayload,
      '`%2E%2E`: percent-encoded unreserved characters forming `..` once decoded',
    ),
    nameCase(
      'name-empty-segment',
      'Root//evil.txt',
      'Root\\\\evil.txt',
      'OPC_NAME_INVALID',
      unlistedPayload,
      'an empty segment',
    ),
    nameCase(
      'name-segment-ends-with-dot',
      'Root/evil./a.txt',
      'Root\\evil.\\a.txt',
      'OPC_NAME_INVALID',
      unlistedPayload,
      'a segment ending in `.`',
    ),
    nameCase(
      'name-bad-percent',
      'Root/evil%zz.txt',
      'Root\\evil%zz.txt',
      'OPC_NAME_INVALID',
      ['BLOCKMAP_FILE_MISSING'],
      'a `%` not followed by two hex digits',
    ),
    {
      name: 'name-case-insensitive-duplicate',
      expectCode: 'OPC_NAME_DUPLICATE',
      alsoReported: ['BLOCKMAP_DUPLICATE_FILE'],
      description: 'readme.txt and README.TXT in the same folder',
      make: () =>
        build((s) => {
          s.files.push({
            name: BaselineNames.readme.replace('readme.txt', 'README.TXT'),
            data: Buffer.from('shadow'),
            inFilesystemMetadata: false,
          });
        }).bytes,
    },
    {
      name: 'name-prefix-of-another',
      expectCode: 'OPC_NAME_PREFIX',
      where: { part: 'Root\\x\\y.txt' },
      alsoReported: ['APPV_FSMETA_MISMATCH'],
      description:
        'a part Root/x and a part Root/x/y.txt (a part name derived by appending segments, ECMA-376-2 M1.11)',
      make: () =>
        build((s) => {
          s.files.push({ name: 'Root\\x', data: Buffer.from('x'), inFilesystemMetadata: false });
          s.files.push({ name: 'Root\\x\\y.txt', data: Buffer.from('y'), inFilesystemMetadata: false });
        }).bytes,
    },
    {
      name: 'directory-entry',
      expectCode: 'OPC_DIRECTORY_ENTRY',
      description: 'a ZIP directory entry Root/dir/ (stored, empty, not in the BlockMap)',
      make: () =>
        build((s) => {
          s.files.push({
            name: 'Root\\dir\\',
            zipName: 'Root/dir/',
            data: Buffer.alloc(0),
            method: 'stored',
            inBlockMap: false,
            inFilesystemMetadata: false,
          });
        }).bytes,
    },

    // ----- XML
    {
      name: 'manifest-external-entity',
      expectCode: 'XML_DOCTYPE',
      description:
        'AppxManifest.xml declares an external entity (file:///etc/passwd) and uses it in DisplayName',
      make: () =>
        build((s) => {
          s.tamper = {
            parts: (p) => ({
              ...p,
              'AppxManifest.xml': String(p['AppxManifest.xml'])
                .replace(
                  '?>\n<Package',
                  '?>\n<!DOCTYPE Package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Package',
                )
                .replace('<DisplayName>Vendor App</DisplayName>', '<DisplayName>&xxe;</DisplayName>'),
            }),
          };
        }).bytes,
    },

    // ----- App-V layer, FORMAT.md §9.8
    {
      name: 'appv-package-id-missing',
      expectCode: 'APPV_PACKAGE_ID_MISSING',
      description: 'the manifest Identity has no appv:PackageId',
      make: () =>
        build((s) => {
          s.tamper = {
            parts: (p) => ({
              ...p,
              'AppxManifest.xml': String(p['AppxManifest.xml']).replace(/ appv:PackageId="[^"]*"/, ''),
            }),
          };
        }).bytes,
    },
    {
      name: 'appv-version-id-missing',
      expectCode: 'APPV_VERSION_ID_MISSING',
      description: 'the manifest Identity has no appv:VersionId',
      make: () =>
        build((s) => {
          s.tamper = {
            parts: (p) => ({
              ...p,
              'AppxManifest.xml': String(p['AppxManifest.xml']).replace(/ appv:VersionId="[^"]*"/, ''),
            }),
          };
        }).bytes,
    },
    {
      name: 'appv-streammap-missing',
      expectCode: 'APPV_PART_MISSING',
      description: 'no StreamMap.xml',
      make: () => build((s) => (s.parts = { 'StreamMap.xml': null })).bytes,
    },
    {
      name: 'appv-registry-missing',
      expectCode: 'APPV_PART_MISSING',
      description: 'no Registry.dat',
      make: () => build((s) => (s.parts = { 'Registry.dat': null })).bytes,
    },
    {
      name: 'appv-streammap-file-unknown',
      expectCode: 'APPV_STREAMMAP_FILE_UNKNOWN',
      description: 'the Publishing feature block names a file that is not in the package',
      make: () =>
        build((s) => {
          s.streamMap = { publishing: [{ name: `${DIR}\\ghost.dll` }] };
        }).bytes,
    },
    {
      name: 'appv-streammap-block-range',
      expectCode: 'APPV_STREAMMAP_BLOCK_RANGE',
      where: { part: BaselineNames.exe, block: 1 },
      description: 'the Publishing feature block asks for blocks 1–99 of the 2-block app.exe',
      make: () =>
        build((s) => {
          s.streamMap = { publishing: [{ name: BaselineNames.exe, blocks: [[1, 99]] }] };
        }).bytes,
    },
    // ----- found in review: each of these once passed verification or hung it
    {
      name: 'deflate-block-ends-stream',
      expectCode: 'HASH_BLOCK_INFLATE',
      where: { part: BaselineNames.exe, block: 0 },
      description:
        'every 64 KiB block of app.exe is a complete deflate stream (final bit set): each inflates alone, the item does not',
      make: () =>
        build((s) => {
          const exe = file(s, BaselineNames.exe);
          const blocks: Buffer[] = [];
          for (let at = 0; at < exe.data.length; at += 65_536)
            blocks.push(zlib.deflateRawSync(exe.data.subarray(at, at + 65_536)));
          exe.entry = { method: 'raw', compressed: Buffer.concat(blocks) };
          s.tamper = {
            blockMap: (files) => {
              const listed = files.find((f) => f.name === BaselineNames.exe);
              listed?.blocks.forEach((b, i) => {
                b.size = blocks[i]?.length ?? 0;
              });
              return files;
            },
          };
        }).bytes,
    },
    {
      name: 'deflate-bad-final-block',
      expectCode: 'ZIP_DATA_INVALID',
      description:
        "app.exe's 2 bytes after its last block are 07 00 (an invalid block type), not the final block 03 00",
      make: () =>
        build((s) => {
          const exe = file(s, BaselineNames.exe);
          const blocks: Buffer[] = [];
          for (let at = 0; at < exe.data.length; at += 65_536) {
            blocks.push(
              zlib.deflateRawSync(exe.data.subarray(at, at + 65_536), {
                finishFlush: zlib.constants.Z_FULL_FLUSH,
              }),
            );
          }
          exe.entry = { method: 'raw', compressed: Buffer.concat([...blocks, Buffer.from([0x07, 0x00])]) };
        }).bytes,
    },
    {
      name: 'deflate-stream-ends-early-unlisted',
      expectCode: 'ZIP_DATA_INVALID',
      where: { part: 'Root\\early-end.bin' },
      alsoReported: ['BLOCKMAP_FILE_UNLISTED', 'APPV_FSMETA_MISMATCH'],
      description:
        'an unlisted 2 MB item whose deflate stream ends after 1,000 bytes (once made the verifier wait forever)',
      make: () =>
        build((s) => {
          const head = zlib.deflateRawSync(Buffer.alloc(1000, 1));
          s.files.push({
            name: 'Root\\early-end.bin',
            data: Buffer.alloc(3_000_000),
            inBlockMap: false,
            inFilesystemMetadata: false,
            entry: { method: 'raw', compressed: Buffer.concat([head, Buffer.alloc(2_000_000)]) },
          });
        }).bytes,
    },
    {
      name: 'part-named-like-content-types',
      expectCode: 'OPC_NAME_DUPLICATE',
      alsoReported: ['BLOCKMAP_FILE_UNLISTED'],
      description: 'an unhashed part %5BContent_Types%5D.xml, which decodes to the content types name',
      make: () =>
        build((s) => {
          s.files.push({
            name: '[Content_Types].xml',
            zipName: '%5BContent_Types%5D.xml',
            data: Buffer.from('MZ payload'),
            inBlockMap: false,
            inFilesystemMetadata: false,
          });
        }).bytes,
    },
    {
      name: 'second-content-types',
      expectCode: 'OPC_NAME_DUPLICATE',
      description: 'a second, lower-case [content_types].xml item',
      make: () =>
        build((s) => {
          s.tamper = {
            entries: (entries) => [
              ...entries,
              { name: '[content_types].xml', data: Buffer.from('garbage'), method: 'stored' },
            ],
          };
        }).bytes,
    },
    {
      name: 'fsmeta-nested-100000-deep',
      expectCode: 'XML_TOO_LARGE',
      description:
        'FilesystemMetadata entries nested 100,000 levels (once exhausted the heap building paths; now past MAX_XML_DEPTH)',
      make: () =>
        build((s) => {
          const depth = 100_000;
          s.parts = {
            'FilesystemMetadata.xml': `<?xml version="1.0" encoding="utf-8"?><Metadata xmlns="http://schemas.microsoft.com/appv/2010/FilesystemMetadata"><Filesystem Root="C:\\x" Short="C:\\x"><Entry Long="Root">${'<Entry Long="a">'.repeat(depth)}${'</Entry>'.repeat(depth)}</Entry></Filesystem><EmptyDirectories/><OpaqueDirectories/></Metadata>`,
          };
        }).bytes,
    },
    // A payload-sized part is bounded by what the package can justify (under MAX_XML_NODES alone a
    // FilesystemMetadata of 5.9 M empty elements was parsed: 1.15 GB, 5.6 s; found by review).
    floodedPart(
      'FilesystemMetadata.xml',
      'Metadata',
      'http://schemas.microsoft.com/appv/2010/FilesystemMetadata',
    ),
    floodedPart('StreamMap.xml', 'StreamMap', 'http://schemas.microsoft.com/appv/2010/streammap'),
    {
      name: 'appv-fsmeta-mismatch',
      expectCode: 'APPV_FSMETA_MISMATCH',
      description: 'FilesystemMetadata.xml does not list readme.txt',
      make: () => build((s) => (file(s, BaselineNames.readme).inFilesystemMetadata = false)).bytes,
    },

    // ----- found by a mutation audit: checks that no case above needed (each breaks with its check)
    {
      name: 'block-inflates-short',
      expectCode: 'HASH_BLOCK_LENGTH',
      where: { part: BaselineNames.readme, block: 0 },
      description:
        'the one block of readme.txt inflates, alone and cleanly, to one byte less than its size; the BlockMap hash is of those bytes',
      make: () =>
        build((s) => {
          const readme = file(s, BaselineNames.readme);
          const short = readme.data.subarray(0, readme.data.length - 1);
          const block = zlib.deflateRawSync(short, { finishFlush: zlib.constants.Z_FULL_FLUSH });
          readme.entry = { method: 'raw', compressed: Buffer.concat([block, Buffer.from([0x03, 0x00])]) };
          s.tamper = {
            blockMap: (files) => {
              const listed = files.find((f) => f.name === BaselineNames.readme)?.blocks[0];
              if (listed) Object.assign(listed, { size: block.length, hash: sha256Base64(short) });
              return files;
            },
          };
        }).bytes,
    },
    {
      name: 'deflate-bytes-after-stream-end',
      expectCode: 'ZIP_DATA_INVALID',
      where: { part: 'Root\\trailing.bin' },
      alsoReported: ['BLOCKMAP_FILE_UNLISTED'],
      description:
        'an unlisted 1,000-byte item (inflated whole) whose deflate stream ends 8 bytes before its data does',
      make: () =>
        build((s) => {
          const data = Buffer.alloc(1000, 0x41);
          s.files.push({
            name: 'Root\\trailing.bin',
            data,
            inBlockMap: false,
            entry: { method: 'raw', compressed: Buffer.concat([zlib.deflateRawSync(data), Buffer.alloc(8)]) },
          });
        }).bytes,
    },
    {
      name: 'appv-streammap-run-one-past-end',
      expectCode: 'APPV_STREAMMAP_BLOCK_RANGE',
      where: { part: BaselineNames.exe, block: 0 },
      description: 'the Publishing feature block asks for blocks 0–2 of the 2-block app.exe (one too many)',
      make: () =>
        build((s) => {
          s.streamMap = { publishing: [{ name: BaselineNames.exe, blocks: [[0, 3]] }] };
        }).bytes,
    },
    {
      name: 'appv-streammap-run-count-zero',
      expectCode: 'APPV_STREAMMAP_BLOCK_RANGE',
      where: { part: BaselineNames.exe, block: 1 },
      description: 'the Publishing feature block has a run of Count="0" at block 1 of app.exe',
      make: () =>
        build((s) => {
          s.streamMap = { publishing: [{ name: BaselineNames.exe, blocks: [[1, 0]] }] };
        }).bytes,
    },
    {
      name: 'appv-package-id-braced',
      expectCode: 'APPV_MANIFEST_INVALID',
      where: { part: 'AppxManifest.xml' },
      description: 'appv:PackageId is a GUID in braces; FORMAT.md §6 says un-braced',
      make: () => build((s) => (s.packageId = '{2B3C4D5E-6F70-4812-9A3B-4C5D6E7F8091}')).bytes,
    },
    {
      name: 'cd-gap-before-end-records',
      expectCode: 'ZIP_CD_MISPLACED',
      description: '16 bytes between the central directory (size and count right) and the ZIP64 end record',
      make: () => build((s) => (s.craft = { gapAfterCd: Buffer.alloc(16) })).bytes,
    },
    {
      name: 'cd-count-one-short',
      expectCode: 'ZIP_EOCD_MISMATCH',
      // The uncounted last entry is [Content_Types].xml.
      alsoReported: ['CONTENT_TYPES_MISSING'],
      description:
        'the end records count one entry fewer than the central directory holds, so the entries read end before it does',
      make: () =>
        twoPass((s, l) => {
          s.craft = { entryCountOverride: (l?.entries.length ?? 1) - 1 };
        }).bytes,
    },
    {
      name: 'zip64-version-made-by-20',
      expectCode: 'ZIP_ZIP64_VERSION',
      description: 'ZIP64 end record with version made by 20, version needed 45 (the SDK accepts only 45/45)',
      make: () => build((s) => (s.craft = { zip64Overrides: { versionMadeBy: 20 } })).bytes,
    },
    {
      name: 'lfh-flags-mismatch',
      expectCode: 'ZIP_LFH_MISMATCH',
      where: { part: BaselineNames.readme },
      description:
        'the local header of readme.txt sets the UTF-8 flag (0x0808), the central directory not (0x0008)',
      make: () => build((s) => (file(s, BaselineNames.readme).entry = { lfhFlags: 0x0808 })).bytes,
    },
    {
      name: 'entries-overlap-by-one-byte',
      expectCode: 'ZIP_ENTRY_OVERLAP',
      where: { part: BaselineNames.png },
      // The BlockMap sizes of readme.txt add up to its real compressed size, not the declared one.
      alsoReported: ['BLOCKMAP_BLOCK_SIZE_SUM'],
      description:
        "readme.txt (no data descriptor) declares one compressed byte more than it has: the first byte of logo.png's local header",
      make: () =>
        twoPass((s, l) => {
          const written = l ? entryLayout(l, ZIP_README).compressedSize : 0;
          file(s, BaselineNames.readme).entry = { dataDescriptor: 'none', compressedSize: written + 1 };
        }).bytes,
    },
    {
      name: 'entry-data-one-byte-into-cd',
      expectCode: 'ZIP_ENTRY_OUT_OF_BOUNDS',
      where: { part: '[Content_Types].xml' },
      alsoReported: ['ZIP_DATA_INVALID'],
      description:
        'the last entry ([Content_Types].xml, no data descriptor) declares one compressed byte more than it has: the first byte of the central directory',
      make: () =>
        twoPass((s, l) => {
          const written = l ? entryLayout(l, '[Content_Types].xml').compressedSize : 0;
          s.tamper = {
            entries: (entries) => {
              Object.assign(entryOf(entries, '[Content_Types].xml'), {
                dataDescriptor: 'none',
                compressedSize: written + 1,
              });
              return entries;
            },
          };
        }).bytes,
    },
    // MAX_DEFLATE_RATIO (1032) bytes per compressed byte plus one 64 KiB block is the most deflate can
    // give: one byte more is refused unread, exactly that much is read (and found to be less).
    {
      name: 'declared-size-past-deflate-limit',
      expectCode: 'ZIP_SIZE_LIMIT',
      where: { part: BaselineNames.readme },
      alsoReported: ['BLOCKMAP_SIZE_MISMATCH'],
      description: 'readme.txt declares 1032 × its compressed size + 65,537 bytes',
      make: () => readmeDeclaring(1),
    },
    {
      name: 'declared-size-at-deflate-limit',
      expectCode: 'BLOCKMAP_SIZE_MISMATCH',
      where: { part: BaselineNames.readme },
      alsoReported: ['ZIP_SIZE_MISMATCH'],
      description: 'readme.txt declares 1032 × its compressed size + 65,536 bytes: read, and found shorter',
      make: () => readmeDeclaring(0),
    },
  ];
}

/** The baseline with readme.txt declaring `beyond` bytes more than deflate can give from its data. */
/** `part` as 1.1 M empty elements under its root, in a package of a few items: past payloadXmlNodeLimit. */
function floodedPart(part: string, root: string, namespace: string): Case {
  return {
    name: `${part.replace('.xml', '').toLowerCase()}-flooded-small-package`,
    expectCode: 'XML_TOO_LARGE',
    where: { part },
    description: `a ${part} of 1.1 M empty elements in a package of a few items`,
    make: () =>
      build((s) => {
        s.parts = {
          [part]: `<?xml version="1.0" encoding="utf-8"?><${root} xmlns="${namespace}">${'<x/>'.repeat(1_100_000)}</${root}>`,
        };
      }).bytes,
  };
}

function readmeDeclaring(beyond: number): Buffer {
  return twoPass((s, l) => {
    const written = l ? entryLayout(l, ZIP_README).compressedSize : 0;
    file(s, BaselineNames.readme).entry = { uncompressedSize: written * 1032 + 65_536 + beyond };
  }).bytes;
}

/**
 * A valid package whose only finding is a warning (APPV_APPLICATION_TARGET_MISSING): its one application
 * runs `gone.exe`, which the package does not hold.
 */
export function warningOnlyPackage(): Buffer {
  return build((s) => {
    s.applications = [{ target: '[{ProgramFilesX86}]\\Vendor App\\gone.exe', name: 'Gone' }];
    s.shortcuts = [];
    s.streamMap = { publishing: [{ name: BaselineNames.icon }], primary: null };
  }).bytes;
}

/**
 * Valid packages one step from a hostile case, each verifying clean: that a check fires exactly at its
 * boundary and not one byte before.
 */
export function boundaryTwins(): Array<{ name: string; bytes: Buffer; description: string }> {
  return [
    {
      name: 'entries-adjacent',
      description: "readme.txt without data descriptor, its data ending where logo.png's local header starts",
      bytes: build((s) => (file(s, BaselineNames.readme).entry = { dataDescriptor: 'none' })).bytes,
    },
    {
      name: 'entry-data-ends-at-cd',
      description:
        '[Content_Types].xml without data descriptor, its data ending where the central directory starts',
      bytes: build((s) => {
        s.tamper = {
          entries: (entries) => {
            entryOf(entries, '[Content_Types].xml').dataDescriptor = 'none';
            return entries;
          },
        };
      }).bytes,
    },
    {
      name: 'zip64-made-by-unix',
      description:
        'ZIP64 end record version made by 0x032D (Unix host, version 45): the host byte is not a version',
      bytes: build((s) => (s.craft = { zip64Overrides: { versionMadeBy: 0x032d } })).bytes,
    },
  ];
}

/**
 * What a cut of the baseline at `offset` is reported as. Every cut loses the end of central directory
 * record (the last 22 bytes), and the reader stops there, never reaching what else the cut broke: a file
 * that still starts with the first local header is a package cut short, an empty one is no ZIP at all.
 */
export function truncatedCode(offset: number): ErrorCode {
  return offset >= 4 ? 'ZIP_TRUNCATED' : 'ZIP_NOT_A_ZIP';
}

/**
 * Every hostile case, truncations of the baseline included. Each call builds fresh buffers
 * (a few seconds in all); cache the result in a test file's top level.
 */
export function hostileCases(): HostileCase[] {
  const list: HostileCase[] = cases().map(({ make, ...rest }) => ({ ...rest, bytes: make() }));
  for (const t of truncations(baselinePackage())) {
    list.push({
      name: `truncated-${t.label}`,
      bytes: t.bytes,
      expectCode: truncatedCode(t.offset),
      description: `the baseline package cut to ${t.offset} bytes (${t.label})`,
    });
  }
  return list;
}
