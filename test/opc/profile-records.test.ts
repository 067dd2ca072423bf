import { DOS_EPOCH } from '@appv/opc';
import { describe, expect, it } from 'vitest';
import {
  type CentralRecord,
  centralHeader,
  endRecords,
} from '../../packages/opc/dist/writer/profile-records.js';

/**
 * The record builders of the writer's ZIP profile (FORMAT.md §8), byte by byte. A package with an entry past
 * 4 GiB costs minutes to write (package-writer.test.ts has one, for the size field only); the builders take
 * any value, so every overflow and both sides of the threshold are pinned here.
 */

const base: CentralRecord = {
  zipName: 'Root/a.bin',
  method: 8,
  dosTime: { date: 0x5821, time: 0x6000 },
  crc: 0x12345678,
  compressedSize: 1000,
  size: 2000,
  offset: 3000,
};

/** The header's fixed fields and its extra field, read back as APPNOTE 4.3.12 lays them out. */
function parse(header: Buffer) {
  const nameLength = header.readUInt16LE(28);
  const extraLength = header.readUInt16LE(30);
  const extra = header.subarray(46 + nameLength);
  expect(extra.length).toBe(extraLength); // nothing after the extra: no comment
  const fields: { id: number; values: bigint[] }[] = [];
  for (let at = 0; at < extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const values: bigint[] = [];
    for (let v = 0; v < length; v += 8) values.push(extra.readBigUInt64LE(at + 4 + v));
    fields.push({ id, values });
    at += 4 + length;
  }
  return {
    signature: header.readUInt32LE(0),
    versions: [header.readUInt16LE(4), header.readUInt16LE(6)],
    flags: header.readUInt16LE(8),
    method: header.readUInt16LE(10),
    timeDate: [header.readUInt16LE(12), header.readUInt16LE(14)],
    crc: header.readUInt32LE(16),
    compressedSize: header.readUInt32LE(20),
    size: header.readUInt32LE(24),
    name: header.toString('latin1', 46, 46 + nameLength),
    extraLength,
    commentLength: header.readUInt16LE(32),
    disk: header.readUInt16LE(34),
    offset: header.readUInt32LE(42),
    fields,
  };
}

const FOUR_GIB = 2 ** 32;

describe('centralHeader: a ZIP64 extra only where a value overflows (FORMAT.md §8, APPNOTE 4.5.3)', () => {
  it('small values: no extra field at all, every value in its 32-bit field', () => {
    const header = centralHeader(base);
    expect(header.length).toBe(46 + 'Root/a.bin'.length);
    expect(parse(header)).toEqual({
      signature: 0x02014b50,
      versions: [45, 45],
      flags: 0x0008,
      method: 8,
      timeDate: [0x6000, 0x5821],
      crc: 0x12345678,
      compressedSize: 1000,
      size: 2000,
      name: 'Root/a.bin',
      extraLength: 0,
      commentLength: 0,
      disk: 0,
      offset: 3000,
      fields: [],
    });
  });

  // Every combination of overflowing fields: the extra holds only those, in APPNOTE order (uncompressed
  // size, compressed size, local header offset), and each overflowing header field reads 0xFFFFFFFF.
  const combos: [string, Partial<CentralRecord>, bigint[]][] = [
    ['size', { size: FOUR_GIB + 1 }, [BigInt(FOUR_GIB + 1)]],
    ['compressed size', { compressedSize: FOUR_GIB + 2 }, [BigInt(FOUR_GIB + 2)]],
    ['offset', { offset: FOUR_GIB + 3 }, [BigInt(FOUR_GIB + 3)]],
    ['size and compressed size', { size: 5e9, compressedSize: FOUR_GIB }, [5_000_000_000n, 4_294_967_296n]],
    ['size and offset', { size: 6e9, offset: 7e9 }, [6_000_000_000n, 7_000_000_000n]],
    ['compressed size and offset', { compressedSize: 8e9, offset: 9e9 }, [8_000_000_000n, 9_000_000_000n]],
    [
      'all three',
      { size: 2 ** 40, compressedSize: 2 ** 39, offset: 2 ** 38 },
      [2n ** 40n, 2n ** 39n, 2n ** 38n],
    ],
  ];
  it.each(combos)('an overflowing %s: only that in the extra, in APPNOTE order', (_, wide, values) => {
    const entry = { ...base, ...wide };
    const parsed = parse(centralHeader(entry));
    expect(parsed.extraLength).toBe(4 + 8 * values.length);
    expect(parsed.fields).toEqual([{ id: 0x0001, values }]);
    const field = (value: number) => (value >= FOUR_GIB ? 0xffffffff : value);
    expect([parsed.size, parsed.compressedSize, parsed.offset]).toEqual([
      field(entry.size),
      field(entry.compressedSize),
      field(entry.offset),
    ]);
  });

  it('the threshold: 0xFFFFFFFE fits its field; 0xFFFFFFFF is the ZIP64 marker, so it moves to the extra', () => {
    // APPNOTE 4.4.8/4.4.16: a field holding 0xFFFFFFFF says "the value is in the ZIP64 extra"; a value that is
    // exactly 0xFFFFFFFF cannot stay in the header without being misread (FORMAT.md §8: "exceeds 0xFFFFFFFE").
    for (const key of ['size', 'compressedSize', 'offset'] as const) {
      const fits = parse(centralHeader({ ...base, [key]: 0xfffffffe }));
      expect(fits.extraLength, key).toBe(0);
      expect(fits[key], key).toBe(0xfffffffe);
      const marker = parse(centralHeader({ ...base, [key]: 0xffffffff }));
      expect(marker.extraLength, key).toBe(12);
      expect(marker.fields, key).toEqual([{ id: 1, values: [0xffffffffn] }]);
      expect(marker[key], key).toBe(0xffffffff);
    }
    const allAtMarker = parse(
      centralHeader({ ...base, size: 0xffffffff, compressedSize: 0xffffffff, offset: 0xffffffff }),
    );
    expect(allAtMarker.fields).toEqual([{ id: 1, values: [0xffffffffn, 0xffffffffn, 0xffffffffn] }]);
  });

  it('writes the date and time it is given (the deterministic epoch included)', () => {
    expect(parse(centralHeader({ ...base, dosTime: DOS_EPOCH })).timeDate).toEqual([0, 0x21]);
  });
});

describe('endRecords: ZIP64 end records always, a saturated classic EOCD (FORMAT.md §8)', () => {
  // Small and large counts alike: the profile never writes a count or an offset in the classic EOCD.
  it.each([
    [0, 0, 0],
    [3, 1000, 200],
    [0xfffe, 5_000_000, 3_000_000],
    [0xffff, 5_000_000, 3_000_000],
    [70_000, 9_000_000_000, 6_000_000],
  ])('%i entries, directory at %i, %i bytes long', (entries, directoryOffset, directorySize) => {
    const records = endRecords(entries, directoryOffset, directorySize);
    expect(records.length).toBe(56 + 20 + 22);
    // The ZIP64 end of central directory record (APPNOTE 4.3.14).
    expect({
      signature: records.readUInt32LE(0),
      recordSize: records.readBigUInt64LE(4),
      versions: [records.readUInt16LE(12), records.readUInt16LE(14)],
      disks: [records.readUInt32LE(16), records.readUInt32LE(20)],
      entriesOnDisk: records.readBigUInt64LE(24),
      entries: records.readBigUInt64LE(32),
      directorySize: records.readBigUInt64LE(40),
      directoryOffset: records.readBigUInt64LE(48),
    }).toEqual({
      signature: 0x06064b50,
      recordSize: 44n,
      versions: [45, 45],
      disks: [0, 0],
      entriesOnDisk: BigInt(entries),
      entries: BigInt(entries),
      directorySize: BigInt(directorySize),
      directoryOffset: BigInt(directoryOffset),
    });
    // Its locator (APPNOTE 4.3.15): the record follows the directory; one disk.
    expect({
      signature: records.readUInt32LE(56),
      disk: records.readUInt32LE(60),
      recordOffset: records.readBigUInt64LE(64),
      disks: records.readUInt32LE(72),
    }).toEqual({
      signature: 0x07064b50,
      disk: 0,
      recordOffset: BigInt(directoryOffset + directorySize),
      disks: 1,
    });
    // The classic EOCD (APPNOTE 4.3.16): every count and offset saturated, no comment.
    expect({
      signature: records.readUInt32LE(76),
      disks: [records.readUInt16LE(80), records.readUInt16LE(82)],
      entriesOnDisk: records.readUInt16LE(84),
      entries: records.readUInt16LE(86),
      directorySize: records.readUInt32LE(88),
      directoryOffset: records.readUInt32LE(92),
      commentLength: records.readUInt16LE(96),
    }).toEqual({
      signature: 0x06054b50,
      disks: [0, 0],
      entriesOnDisk: 0xffff,
      entries: 0xffff,
      directorySize: 0xffffffff,
      directoryOffset: 0xffffffff,
      commentLength: 0,
    });
  });
});
