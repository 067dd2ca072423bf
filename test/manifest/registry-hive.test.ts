import { emptyRegistryHive, registryHiveProblem } from '@appv/manifest';
import { describe, expect, it } from 'vitest';

/**
 * A small regf reader written from the public format descriptions (Metz, libregf; Suhanov, msuhanov/regf;
 * Windows' CM_KEY_SECURITY), independent of the builder's constants. It reports what a loader would refuse.
 */

interface Cell {
  offset: number; // relative to the hive bins data
  size: number; // absolute
  allocated: boolean;
  data: Buffer; // the cell without its size field
}

function xorChecksum(file: Buffer): number {
  let c = 0;
  for (let i = 0; i < 127; i++) c = (c ^ file.readUInt32LE(i * 4)) >>> 0;
  if (c === 0xffffffff) return 0xfffffffe;
  if (c === 0) return 1;
  return c;
}

function readHive(file: Buffer) {
  const problems: string[] = [];
  const header = {
    signature: file.toString('latin1', 0, 4),
    primarySequence: file.readUInt32LE(4),
    secondarySequence: file.readUInt32LE(8),
    timestamp: file.readBigUInt64LE(12),
    major: file.readUInt32LE(20),
    minor: file.readUInt32LE(24),
    type: file.readUInt32LE(28),
    format: file.readUInt32LE(32),
    rootCell: file.readUInt32LE(36),
    binsSize: file.readUInt32LE(40),
    clustering: file.readUInt32LE(44),
    checksum: file.readUInt32LE(508),
  };
  if (header.signature !== 'regf') problems.push('signature');
  if (header.primarySequence !== header.secondarySequence) problems.push('sequence numbers differ');
  if (header.checksum !== xorChecksum(file)) problems.push('checksum');
  if (header.major !== 1 || header.minor < 3) problems.push('version');
  if (header.type !== 0 || header.format !== 1) problems.push('type/format');
  if (file.length !== 4096 + header.binsSize) problems.push('hive bins data size');

  const bins = file.subarray(4096);
  const cells: Cell[] = [];
  let binOffset = 0;
  while (binOffset < bins.length) {
    if (bins.toString('latin1', binOffset, binOffset + 4) !== 'hbin') {
      problems.push(`hbin signature at ${binOffset}`);
      break;
    }
    const offset = bins.readUInt32LE(binOffset + 4);
    const size = bins.readUInt32LE(binOffset + 8);
    if (offset !== binOffset) problems.push('hbin offset');
    if (size === 0 || size % 4096 !== 0 || binOffset + size > bins.length) {
      problems.push('hbin size');
      break;
    }
    let at = binOffset + 32;
    while (at < binOffset + size) {
      const raw = bins.readInt32LE(at);
      const abs = Math.abs(raw);
      if (abs === 0 || abs % 8 !== 0 || at + abs > binOffset + size) {
        problems.push(`cell at ${at} has size ${raw}`);
        break;
      }
      cells.push({ offset: at, size: abs, allocated: raw < 0, data: bins.subarray(at + 4, at + abs) });
      at += abs;
    }
    if (at !== binOffset + size) problems.push('cells do not end at the bin end');
    binOffset += size;
  }
  const cellAt = (offset: number) => cells.find((c) => c.offset === offset);
  return { header, bins, cells, cellAt, problems };
}

function readSid(buffer: Buffer, offset: number): string {
  const revision = buffer.readUInt8(offset);
  const count = buffer.readUInt8(offset + 1);
  const authority = buffer.readUIntBE(offset + 2, 6);
  const subs = Array.from({ length: count }, (_, i) => buffer.readUInt32LE(offset + 8 + 4 * i));
  return `S-${revision}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}

describe('emptyRegistryHive', () => {
  const hive = emptyRegistryHive();

  it('is a clean regf base block with a valid checksum', () => {
    const { header, problems } = readHive(hive);
    expect(problems).toEqual([]);
    expect(hive.length).toBe(8192);
    expect(header).toMatchObject({
      signature: 'regf',
      primarySequence: 1,
      secondarySequence: 1,
      timestamp: 0n,
      major: 1,
      minor: 5,
      type: 0,
      format: 1,
      rootCell: 0x20,
      binsSize: 4096,
      clustering: 1,
    });
  });

  it('has one 4096-byte hbin whose cells walk exactly to its end', () => {
    const { bins, cells } = readHive(hive);
    expect(bins.toString('latin1', 0, 4)).toBe('hbin');
    expect(bins.readUInt32LE(4)).toBe(0);
    expect(bins.readUInt32LE(8)).toBe(4096);
    const last = cells.at(-1);
    expect((last?.offset ?? 0) + (last?.size ?? 0)).toBe(4096);
    // Two allocated cells (nk, sk) and the free rest.
    expect(cells.map((c) => [c.allocated, c.data.toString('latin1', 0, 2)])).toEqual([
      [true, 'nk'],
      [true, 'sk'],
      [false, expect.any(String)],
    ]);
  });

  it('has a root key node REGISTRY, flagged as the hive entry, with nothing below it', () => {
    const { header, cellAt } = readHive(hive);
    const root = cellAt(header.rootCell);
    expect(root?.allocated).toBe(true);
    const nk = root?.data ?? Buffer.alloc(0);
    expect(nk.toString('latin1', 0, 2)).toBe('nk');
    const flags = nk.readUInt16LE(2);
    expect(flags & 0x0004).toBe(0x0004); // KEY_HIVE_ENTRY
    expect(flags & 0x0008).toBe(0x0008); // KEY_NO_DELETE
    expect(flags & 0x0020).toBe(0x0020); // KEY_COMP_NAME
    expect(flags).toBe(0x2c);
    expect(nk.readUInt32LE(16)).toBe(0); // parent
    expect(nk.readUInt32LE(20)).toBe(0); // subkeys
    expect(nk.readUInt32LE(24)).toBe(0); // volatile subkeys
    expect(nk.readUInt32LE(28)).toBe(0xffffffff); // subkeys list
    expect(nk.readUInt32LE(36)).toBe(0); // values
    expect(nk.readUInt32LE(40)).toBe(0xffffffff); // values list
    expect(nk.readUInt32LE(48)).toBe(0xffffffff); // class name
    expect(nk.readUInt16LE(74)).toBe(0); // class name length
    const nameLength = nk.readUInt16LE(72);
    expect(nk.toString('latin1', 76, 76 + nameLength)).toBe('REGISTRY');
    expect(76 + nameLength).toBeLessThanOrEqual(nk.length);
  });

  it('has a security cell that refers to itself, used once, with a descriptor Windows accepts', () => {
    const { header, cellAt } = readHive(hive);
    const nk = cellAt(header.rootCell)?.data ?? Buffer.alloc(0);
    const skOffset = nk.readUInt32LE(44);
    const skCell = cellAt(skOffset);
    expect(skCell?.allocated).toBe(true);
    const sk = skCell?.data ?? Buffer.alloc(0);
    expect(sk.toString('latin1', 0, 2)).toBe('sk');
    expect(sk.readUInt32LE(4)).toBe(skOffset); // flink
    expect(sk.readUInt32LE(8)).toBe(skOffset); // blink
    expect(sk.readUInt32LE(12)).toBe(1); // reference count: the root key
    const length = sk.readUInt32LE(16);
    expect(20 + length).toBeLessThanOrEqual(sk.length);
    const sd = sk.subarray(20, 20 + length);
    // Self-relative descriptor (MS-DTYP 2.4.6), checked as SeValidSecurityDescriptor does.
    expect(sd.readUInt8(0)).toBe(1); // revision
    const control = sd.readUInt16LE(2);
    expect(control & 0x8000).toBe(0x8000); // SE_SELF_RELATIVE
    const owner = sd.readUInt32LE(4);
    const group = sd.readUInt32LE(8);
    const dacl = sd.readUInt32LE(16);
    expect(owner).toBeGreaterThanOrEqual(20);
    expect(owner % 4).toBe(0);
    expect(readSid(sd, owner)).toBe('S-1-5-32-544');
    expect(group % 4).toBe(0);
    expect(readSid(sd, group)).toBe('S-1-5-18');
    expect(control & 0x0004).toBe(0x0004); // SE_DACL_PRESENT
    expect(dacl % 4).toBe(0);
    expect(sd.readUInt8(dacl)).toBe(2); // ACL revision
    const aclSize = sd.readUInt16LE(dacl + 2);
    expect(dacl + aclSize).toBeLessThanOrEqual(sd.length);
    const aces: string[] = [];
    let at = dacl + 8;
    for (let i = 0; i < sd.readUInt16LE(dacl + 4); i++) {
      const size = sd.readUInt16LE(at + 2);
      expect(sd.readUInt8(at)).toBe(0); // ACCESS_ALLOWED
      aces.push(`${readSid(sd, at + 8)}:${sd.readUInt32LE(at + 4).toString(16)}`);
      at += size;
    }
    expect(at).toBe(dacl + aclSize);
    expect(aces).toEqual(['S-1-5-18:f003f', 'S-1-5-32-544:f003f', 'S-1-5-32-545:20019']);
  });

  it('is the same bytes every time', () => {
    expect(emptyRegistryHive().equals(hive)).toBe(true);
  });

  it('the reader notices a broken checksum, a broken cell chain and unequal sequence numbers', () => {
    const flipped = Buffer.from(hive);
    flipped[48] = 0x41; // inside the checksummed area
    expect(readHive(flipped).problems).toContain('checksum');
    const cells = Buffer.from(hive);
    cells.writeInt32LE(-0x50, 4096 + 0x20); // nk cell shortened: the walk no longer lands on a cell
    expect(readHive(cells).problems.length).toBeGreaterThan(0);
    const sequence = Buffer.from(hive);
    sequence.writeUInt32LE(2, 4);
    expect(readHive(sequence).problems).toEqual(
      expect.arrayContaining(['sequence numbers differ', 'checksum']),
    );
  });
});

describe('registryHiveProblem: the frame of a hive a packer keeps', () => {
  it('accepts the empty hive and refuses what no loader loads, saying why', () => {
    const hive = emptyRegistryHive();
    expect(registryHiveProblem(hive)).toBeNull();
    expect(registryHiveProblem(Buffer.alloc(0))).toMatch(/^it is 0 bytes/);
    expect(registryHiveProblem(Buffer.from('not a hive'.repeat(1000)))).toMatch(/"regf"/);
    const badSum = Buffer.from(hive);
    badSum.writeUInt32LE((badSum.readUInt32LE(0x1fc) ^ 1) >>> 0, 0x1fc);
    expect(registryHiveProblem(badSum)).toMatch(/checksum/);
    const noBin = Buffer.from(hive);
    noBin.write('xbin', 0x1000, 'latin1');
    expect(registryHiveProblem(noBin)).toMatch(/hbin/);
    // A view into a larger buffer is read where it starts.
    const framed = Buffer.concat([Buffer.alloc(3), hive]);
    expect(registryHiveProblem(framed.subarray(3))).toBeNull();
  });
});
