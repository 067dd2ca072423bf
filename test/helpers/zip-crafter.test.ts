import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pythonReadAll, pythonZipTest, unzipTest } from './external.js';
import { randomBytes } from './make-sample.js';
import {
  BLOCK_SIZE,
  type CraftEntry,
  craftLocalRecord,
  craftZip,
  deflateBlocks,
  EOCD_FIXED_SIZE,
  Signature,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from './zip-crafter.js';

function mixed(length: number, seed: number): Buffer {
  // Half compressible text, half noise: exercises both deflate block kinds.
  const text = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(length / 90)));
  return Buffer.concat([text.subarray(0, length >> 1), randomBytes(length - (length >> 1), seed)]);
}

async function singleStreamFullFlush(data: Buffer): Promise<Buffer> {
  const d = zlib.createDeflateRaw();
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  for (let i = 0; i < data.length; i += BLOCK_SIZE) {
    d.write(data.subarray(i, i + BLOCK_SIZE));
    await new Promise<void>((resolve) => d.flush(zlib.constants.Z_FULL_FLUSH, () => resolve()));
  }
  const ended = new Promise<void>((resolve) => d.on('end', () => resolve()));
  d.end();
  await ended;
  return Buffer.concat(out);
}

const VALID_ENTRIES: CraftEntry[] = [
  { name: 'Root/big.bin', data: mixed(3 * BLOCK_SIZE + 1234, 7), method: 'deflate-blocks' },
  { name: 'Root/exact.bin', data: mixed(BLOCK_SIZE, 8), method: 'deflate-blocks' },
  { name: 'Root/stored.png', data: randomBytes(70_000, 9), method: 'stored' },
  { name: 'Root/empty.txt', data: Buffer.alloc(0), method: 'stored' },
  { name: 'Root/oneshot.txt', data: mixed(5000, 10), method: 'deflate-oneshot' },
  { name: 'Root/zip64extra.txt', data: mixed(4000, 11), zip64Extra: true },
  { name: 'Root/saturated.txt', data: mixed(4000, 12), zip64Extra: 'saturate' },
  { name: 'Root/dd16.txt', data: mixed(3000, 13), dataDescriptor: '16' },
  { name: 'Root/nodd.txt', data: mixed(3000, 14), dataDescriptor: 'none' },
  { name: 'Root/a%20b%7Bc%7D.txt', data: Buffer.from('percent-encoded name') },
];

describe('deflateBlocks', () => {
  it('is byte-identical to one raw deflate stream with Z_FULL_FLUSH after every 64 KiB', async () => {
    for (const data of [
      mixed(5 * BLOCK_SIZE + 17, 1),
      Buffer.alloc(2 * BLOCK_SIZE, 0x41),
      randomBytes(BLOCK_SIZE, 2),
    ]) {
      const d = deflateBlocks(data);
      expect(d.compressed.equals(await singleStreamFullFlush(data))).toBe(true);
      expect(d.compressed.subarray(-2)).toEqual(Buffer.from([3, 0]));
      expect(d.blockSizes.reduce((a, b) => a + b, 0)).toBe(d.compressed.length - 2);
    }
  });

  it('produces blocks that inflate alone, each ending in 00 00 FF FF', () => {
    const data = mixed(4 * BLOCK_SIZE + 99, 3);
    const d = deflateBlocks(data, { omitFinalBlock: true });
    expect(d.finalBlockSize).toBe(0);
    let pos = 0;
    d.blockSizes.forEach((size, k) => {
      const chunk = d.compressed.subarray(pos, pos + size);
      pos += size;
      expect(chunk.subarray(-4)).toEqual(Buffer.from([0, 0, 0xff, 0xff]));
      const out = zlib.inflateRawSync(chunk, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      expect(out.equals(data.subarray(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE))).toBe(true);
    });
    expect(pos).toBe(d.compressed.length);
  });
});

describe('craftZip', () => {
  const { bytes, layout } = craftZip(VALID_ENTRIES);

  it('writes the SDK profile by default (FORMAT.md §8)', () => {
    for (const e of layout.entries) {
      expect(bytes.readUInt32LE(e.localHeaderOffset)).toBe(Signature.localFileHeader);
      expect(e.dataOffset).toBe(e.localHeaderOffset + e.lfhSize);
      expect(bytes.readUInt32LE(e.cdHeaderOffset)).toBe(Signature.centralDirectoryHeader);
      expect(bytes.readUInt16LE(e.localHeaderOffset + 4)).toBe(45);
    }
    const first = layout.entries[0];
    if (!first) throw new Error('no entry');
    expect(first.lfhSize).toBe(30 + 'Root/big.bin'.length);
    expect(bytes.readUInt16LE(first.localHeaderOffset + 6)).toBe(0x0008);
    expect(bytes.readUInt32LE(first.localHeaderOffset + 14)).toBe(0); // CRC 0 in the LFH
    expect(first.descriptorSize).toBe(24);
    expect(bytes.readUInt32LE(first.descriptorOffset)).toBe(Signature.dataDescriptor);
    expect(first.blockSizes).toHaveLength(4);
    expect(first.blockSizes.reduce((a, b) => a + b, 0) + first.finalBlockSize).toBe(first.compressedSize);

    const z = layout.zip64RecordOffset ?? -1;
    expect(z).toBe(layout.cdOffset + layout.cdSize);
    expect(bytes.readUInt32LE(z)).toBe(Signature.zip64EndOfCentralDirectory);
    expect(bytes.readBigUInt64LE(z + 4)).toBe(44n);
    expect(bytes.readUInt16LE(z + 12)).toBe(45);
    expect(bytes.readUInt16LE(z + 14)).toBe(45);
    expect(layout.zip64LocatorOffset).toBe(z + ZIP64_EOCD_SIZE);
    expect(layout.eocdOffset).toBe(z + ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE);
    expect(bytes.readUInt16LE(layout.eocdOffset + 8)).toBe(0xffff);
    expect(bytes.readUInt32LE(layout.eocdOffset + 16)).toBe(0xffffffff);
    expect(layout.totalSize).toBe(layout.eocdOffset + EOCD_FIXED_SIZE);
  });

  it('craftLocalRecord matches what craftZip writes', () => {
    const e = VALID_ENTRIES[2] as CraftEntry;
    const l = layout.entries[2];
    if (!l) throw new Error('no entry');
    expect(craftLocalRecord(e).equals(bytes.subarray(l.localHeaderOffset, l.end))).toBe(true);
  });

  it('is accepted by unzip -t (ZIP64 end records)', () => {
    const r = unzipTest(bytes);
    expect(r.output).toContain('No errors detected');
    expect(r.ok).toBe(true);
  });

  it('is accepted by unzip -t (Zip32 end records, 24-byte descriptors without signature)', () => {
    const entries = VALID_ENTRIES.map((e) => ({
      ...e,
      dataDescriptor: e.dataDescriptor ?? ('24-nosig' as const),
    }));
    const r = unzipTest(craftZip(entries, { zip64EndRecords: false }).bytes);
    expect(r.ok, r.output).toBe(true);
  });

  it('is accepted by Python zipfile, with identical contents', () => {
    const r = pythonZipTest(bytes);
    expect(r.ok, r.output).toBe(true);
    const read = pythonReadAll(bytes);
    for (const e of VALID_ENTRIES) {
      expect(read.get(e.name as string)?.equals(e.data ?? Buffer.alloc(0)), e.name as string).toBe(true);
    }
    expect(pythonZipTest(craftZip(VALID_ENTRIES, { zip64EndRecords: false }).bytes).ok).toBe(true);
  });

  it('omitFinalBlock: Python zipfile still reads it (Info-ZIP unzip does not)', () => {
    const data = mixed(2 * BLOCK_SIZE + 5, 15);
    const { bytes: b, layout: l } = craftZip([{ name: 'x.bin', data, omitFinalBlock: true }]);
    expect(l.entries[0]?.finalBlockSize).toBe(0);
    expect(pythonReadAll(b).get('x.bin')?.equals(data)).toBe(true);
  });

  it('applies overrides to the fields they name', () => {
    const { bytes: b, layout: l } = craftZip(
      [
        {
          name: 'a.txt',
          data: Buffer.from('hello'),
          method: 'stored',
          dataDescriptor: 'none',
          crc32: 0x12345678,
          lfhName: 'b.txt',
          lfhMethod: 8,
          lfhVersionNeeded: 10,
          localHeaderOffset: 0x1000,
          comment: 'c',
        },
      ],
      { cdOffsetOverride: 0xdead, archiveComment: 'xy', trailingBytes: Buffer.from('zz') },
    );
    const e = l.entries[0];
    if (!e) throw new Error('no entry');
    expect(b.readUInt16LE(4)).toBe(10);
    expect(b.readUInt16LE(8)).toBe(8);
    expect(b.subarray(30, 35).toString()).toBe('b.txt');
    expect(b.readUInt32LE(14)).toBe(0x12345678);
    expect(b.readUInt32LE(e.cdHeaderOffset + 16)).toBe(0x12345678);
    expect(b.readUInt32LE(e.cdHeaderOffset + 42)).toBe(0x1000);
    expect(b.readUInt16LE(e.cdHeaderOffset + 32)).toBe(1);
    expect(b.readBigUInt64LE((l.zip64RecordOffset ?? 0) + 48)).toBe(0xdeadn);
    expect(b.subarray(-4).toString()).toBe('xyzz');
    expect(l.trailingOffset).toBe(b.length - 2);
  });

  it('saturates values above 0xFFFFFFFE and puts them in a ZIP64 extra', () => {
    const { bytes: b, layout: l } = craftZip([
      { name: 'x', data: Buffer.from('x'), uncompressedSize: 4 * 2 ** 40 },
    ]);
    const e = l.entries[0];
    if (!e) throw new Error('no entry');
    expect(b.readUInt32LE(e.cdHeaderOffset + 24)).toBe(0xffffffff);
    expect(b.readUInt16LE(e.cdHeaderOffset + 30)).toBe(12);
    expect(b.readUInt16LE(e.cdHeaderOffset + 46 + 1)).toBe(1);
    expect(b.readBigUInt64LE(e.cdHeaderOffset + 46 + 1 + 4)).toBe(4n * 2n ** 40n);
  });
});
