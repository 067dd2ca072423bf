import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  BufferSource,
  digestItems,
  digestPackage,
  ErrorCode,
  FileSource,
  type ItemDigest,
  OpcPackage,
} from '@appv/opc';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonList, pythonReadAll } from '../helpers/external.js';
import { fixtureFiles } from '../helpers/fixtures.js';
import { craftZip } from '../helpers/zip-crafter.js';

const valid = fixtureFiles('valid');
const opened: OpcPackage[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});

async function open(path: string): Promise<OpcPackage> {
  const pkg = await OpcPackage.open(path);
  opened.push(pkg);
  return pkg;
}

describe('digestItems', () => {
  const path = valid[0]?.path as string;

  it('hands digests to onItem in request order as they complete; collect: false keeps none', async () => {
    const pkg = await open(path);
    const source = await FileSource.open(path);
    try {
      // Requests in reverse file order: delivery must follow the requests, not the reads.
      const requests = pkg.items.filter((item) => item.readable).map((item) => ({ item }));
      requests.reverse();
      const delivered: ItemDigest[] = [];
      const kept = await digestItems(source, requests, {
        threads: 2,
        collect: false,
        onItem: (digest) => delivered.push(digest),
      });
      expect(kept).toEqual([]);
      expect(delivered.map((d) => d.item.name)).toEqual(requests.map((r) => r.item.name));
      const collected = await digestItems(source, requests, { threads: 2 });
      expect(collected.map((d) => d.crc32)).toEqual(delivered.map((d) => d.crc32));
    } finally {
      await source.close();
    }
  });

  it('a package in a Buffer is digested without detaching the caller’s memory', async () => {
    const bytes = readFileSync(path);
    const copy = Buffer.from(bytes);
    const digest = await digestPackage(new BufferSource(bytes), { threads: 2 });
    expect(digest.parts.every((part) => part.error === null)).toBe(true);
    expect(bytes.length).toBe(copy.length);
    expect(bytes.equals(copy)).toBe(true);
  });

  it('an onItem that throws ends the digest with USAGE, naming the callback (found by review)', async () => {
    const source = await FileSource.open(path);
    const pkg = await open(path);
    try {
      const requests = pkg.items.filter((item) => item.readable).map((item) => ({ item }));
      const failing = digestItems(source, requests, {
        threads: 2,
        onItem: () => {
          throw new Error('caller failed');
        },
      });
      await expect(failing).rejects.toMatchObject({
        code: ErrorCode.USAGE,
        message: 'The onItem callback threw: caller failed',
      });
    } finally {
      await source.close();
    }
  });
});

describe.each(valid)('valid fixture $name', ({ path }) => {
  it('opens with no container finding', async () => {
    const pkg = await open(path);
    expect(pkg.findings).toEqual([]);
  });

  it('lists every item exactly as Python zipfile does', async () => {
    const pkg = await open(path);
    const reference = pythonList(path);
    expect(pkg.items.map((i) => i.zipName)).toEqual(reference.map((r) => r.name));
    pkg.items.forEach((item, i) => {
      const ref = reference[i];
      expect(item).toMatchObject({
        method: ref?.method,
        compressedSize: ref?.compressedSize,
        uncompressedSize: ref?.size,
        crc32: ref?.crc,
        localHeaderOffset: ref?.headerOffset,
      });
      expect(item.dataOffset).toBe(item.localHeaderOffset + item.localHeaderSize);
    });
  });

  it('resolves a content type for every part', async () => {
    const pkg = await open(path);
    for (const part of pkg.parts) expect(part.contentType, part.name).toMatch(/\//);
  });

  it('streams every part byte-identical to Python zipfile', async () => {
    const pkg = await open(path);
    const reference = pythonReadAll(path);
    for (const item of pkg.items) {
      const ours = await pkg.readPart(item, { maxSize: 1 << 30 });
      expect(ours.equals(reference.get(item.zipName) ?? Buffer.alloc(1)), item.zipName).toBe(true);
    }
  });

  it('digests every block on worker threads, matching a direct SHA-256 of the bytes', async () => {
    const source = await FileSource.open(path);
    try {
      const digest = await digestPackage(source, { threads: 2 });
      const pkg = await open(path);
      const reference = pythonReadAll(path);
      for (const part of digest.parts) {
        const bytes = reference.get(pkg.requireItem(part.name).zipName) ?? Buffer.alloc(0);
        expect(part.error).toBeNull();
        expect(part.size).toBe(bytes.length);
        expect(part.blockHashes.length).toBe(Math.ceil(bytes.length / 65_536));
        part.blockHashes.forEach((hash, i) => {
          const expected = createHash('sha256')
            .update(bytes.subarray(i * 65_536, (i + 1) * 65_536))
            .digest();
          expect(hash?.equals(expected), `${part.name} block ${i}`).toBe(true);
        });
      }
    } finally {
      await source.close();
    }
  });
});

describe('OpcPackage', () => {
  const path = valid.find((f) => f.name === 'HelloWorld.appx')?.path ?? '';

  it('reads from a Buffer source the same as from a file', async () => {
    const fromFile = await open(path);
    const fromBuffer = await OpcPackage.open(new BufferSource(readFileSync(path)));
    opened.push(fromBuffer);
    expect(fromBuffer.items).toEqual(fromFile.items);
  });

  it('finds parts by decoded or ZIP name, case-insensitively', async () => {
    const pkg = await open(path);
    const encoded = pkg.items.find((i) => i.zipName.includes('%25'));
    expect(encoded).toBeDefined();
    if (!encoded) return;
    expect(encoded.name).toContain('%5B');
    expect(pkg.itemByZipName(encoded.zipName)).toBe(encoded);
    expect(pkg.item(encoded.name.toUpperCase())).toBe(encoded);
    expect(pkg.item(encoded.name.replaceAll('\\', '/'))).toBe(encoded);
    // HelloWorld holds both loader%255B1%255D.js and loader%25255B1%25255D.js: decoded names keep them apart.
    const twin = pkg.items.find((i) => i !== encoded && i.name === encoded.zipName);
    if (twin) expect(pkg.item(encoded.zipName)).toBe(twin);
    expect(() => pkg.requireItem('nope.txt')).toThrow(
      expect.objectContaining({ code: ErrorCode.OPC_PART_NOT_FOUND }),
    );
  });

  it('reads raw compressed ranges and refuses ranges outside the item', async () => {
    const pkg = await open(path);
    const item = pkg.parts.find((p) => p.method === 8 && p.compressedSize > 100);
    if (!item) throw new Error('fixture has no deflated part');
    const raw = await pkg.readRaw(item, 10, 20);
    const whole = await pkg.readRaw(item);
    expect(raw.equals(whole.subarray(10, 20))).toBe(true);
    await expect(pkg.readRaw(item, 0, item.compressedSize + 1)).rejects.toMatchObject({
      code: ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
    });
  });

  it('aborts with a typed ABORTED error', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(OpcPackage.open(path, { signal: controller.signal })).rejects.toMatchObject({
      code: ErrorCode.ABORTED,
    });
  });

  it('refuses a missing file with IO_READ_FAILED', async () => {
    await expect(OpcPackage.open('/nonexistent/package.appv')).rejects.toMatchObject({
      code: ErrorCode.IO_READ_FAILED,
    });
  });
});

describe('part names spelled otherwise than Windows writers spell them (found by review)', () => {
  it('are valid, with a warning: an unencoded "(" and a lower-case escape', async () => {
    const types = Buffer.from(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="a/b"/></Types>',
    );
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: types },
      { name: 'a(1).bin', data: Buffer.from('x') },
      { name: 'b%7bc%7d.bin', data: Buffer.from('y') },
      { name: 'plain%20name.bin', data: Buffer.from('z') },
    ]);
    const pkg = await OpcPackage.open(bytes);
    const findings = pkg.findings.map((f) => [f.code, f.severity, f.part]);
    expect(findings).toEqual([
      ['OPC_NAME_NOT_CANONICAL', 'warning', 'a(1).bin'],
      ['OPC_NAME_NOT_CANONICAL', 'warning', 'b%7bc%7d.bin'],
    ]);
  });
});
