import { describe, expect, it } from 'vitest';
import { craftZip } from './zip-crafter.js';
import { readCentralDirectory, readEndRecords, readLocalHeader } from './zip-records.js';

// The raw reader other tests pin writer bytes with, checked against archives whose layout is known field by field.
describe('zip-records: the raw record reader', () => {
  const entries = [
    {
      name: 'a.txt',
      data: Buffer.from('alpha'),
      method: 'stored' as const,
      dosTime: 0x1234,
      dosDate: 0x5678,
    },
    { name: 'dir/b.bin', data: Buffer.alloc(70_000, 1) },
    { name: 'c.txt', data: Buffer.from('c'), zip64Extra: 'saturate' as const, comment: 'note' },
  ];

  it('reads ZIP64 end records, the directory they point at, and local headers', () => {
    const { bytes, layout } = craftZip(entries);
    const end = readEndRecords(bytes);
    expect(end.eocd).toMatchObject({
      offset: layout.eocdOffset,
      entries: 0xffff,
      directoryOffset: 0xffffffff,
    });
    expect(end.locator).toMatchObject({ offset: layout.zip64LocatorOffset, disks: 1 });
    expect(end.zip64).toMatchObject({
      offset: layout.zip64RecordOffset,
      entries: 3n,
      directoryOffset: BigInt(layout.cdOffset),
      directorySize: BigInt(layout.cdSize),
    });
    const headers = readCentralDirectory(bytes);
    expect(headers.map((h) => [h.name, h.at])).toEqual(
      layout.entries.map((e, i) => [entries[i]?.name, e.cdHeaderOffset]),
    );
    expect(headers.slice(0, 2).map((h) => h.offset)).toEqual(
      layout.entries.slice(0, 2).map((e) => e.localHeaderOffset),
    );
    expect(headers[0]).toMatchObject({
      method: 0,
      time: 0x1234,
      date: 0x5678,
      size: 5,
      extra: Buffer.alloc(0),
    });
    expect(headers[1]).toMatchObject({ method: 8, size: 70_000, commentLength: 0 });
    // The saturated entry: its three 32-bit fields are the marker, the values in a 28-byte extra.
    expect(headers[2]).toMatchObject({ size: 0xffffffff, compressedSize: 0xffffffff, offset: 0xffffffff });
    const values = [4, 12, 20].map((at) => headers[2]?.extra.readBigUInt64LE(at));
    expect(values).toEqual([
      1n,
      BigInt(layout.entries[2]?.compressedSize ?? -1),
      BigInt(layout.entries[2]?.localHeaderOffset ?? -1),
    ]);
    expect(headers[2]?.commentLength).toBe(4);
    const local = readLocalHeader(bytes, layout.entries[0]?.localHeaderOffset ?? -1);
    expect(local).toMatchObject({ name: 'a.txt', method: 0, time: 0x1234, date: 0x5678, extraLength: 0 });
  });

  it('reads classic end records, and refuses bytes that are not where they should be', () => {
    const { bytes, layout } = craftZip(entries.slice(0, 2), { zip64EndRecords: false });
    const end = readEndRecords(bytes);
    expect(end.locator).toBeUndefined();
    expect(end.eocd).toMatchObject({ entries: 2, entriesOnDisk: 2, directoryOffset: layout.cdOffset });
    expect(readCentralDirectory(bytes).map((h) => h.name)).toEqual(['a.txt', 'dir/b.bin']);
    expect(() => readEndRecords(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/no EOCD/);
    expect(() => readLocalHeader(bytes, 1)).toThrow(/no local header/);
  });
});
