import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import {
  AppvError,
  BufferSource,
  ErrorCode,
  FileSource,
  isAppvError,
  MAX_XML_ATTRIBUTE_LENGTH,
  MAX_XML_NAME_LENGTH,
  OpcPackage,
  parseXml,
  strictUtf8,
} from '@appv/opc';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';
import { craftZip } from '../helpers/zip-crafter.js';

// The part-reading API as a tooling author calls it, on hostile and misused input (found by review).

const NS = 'http://schemas.openxmlformats.org/package/2006/content-types';
const typesXml = (contentType = 'application/octet-stream') =>
  Buffer.from(
    `<?xml version="1.0"?><Types xmlns="${NS}"><Default Extension="bin" ContentType="${contentType}"/></Types>`,
  );
const work = mkdtempSync(path.join(tmpdir(), 'appv-part-reading-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeZip(name: string, bytes: Buffer): string {
  const file = path.join(work, name);
  writeFileSync(file, bytes);
  return file;
}

const drain = () => new Writable({ write: (_chunk, _encoding, next) => next() });

describe('reading a part', () => {
  it('hears an abort between chunks, though the whole part came in one read', async () => {
    // 64 MiB of zeros deflate to ~64 KB: one read, then hundreds of inflated chunks.
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'zeros.bin', data: zeros, method: 'deflate-oneshot', level: 9 },
    ]);
    const pkg = await OpcPackage.open(bytes);
    const controller = new AbortController();
    let after = 0;
    let seen = 0;
    const reading = (async () => {
      for await (const chunk of pkg.openStream(pkg.requireItem('zeros.bin'), { signal: controller.signal })) {
        if (controller.signal.aborted) after += chunk.length;
        seen += chunk.length;
        if (seen > 1_000_000) controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    expect(after).toBeLessThanOrEqual(64 * 1024);
  });

  it('hears an abort while paused by its consumer: destroyed at once with ABORTED (found by review)', async () => {
    const data = Buffer.alloc(3_000_000, 7);
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'a.bin', data },
    ]);
    const pkg = await OpcPackage.open(bytes);
    const controller = new AbortController();
    const stream = pkg.openStream(pkg.requireItem('a.bin'), { signal: controller.signal });
    // One chunk, then the consumer stops reading (backpressure): nothing reads from the stream again.
    await new Promise<void>((resolve) =>
      stream.once('data', () => {
        stream.pause();
        resolve();
      }),
    );
    // Time for the stream to fill its buffer and stop pulling from the package.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const failed = new Promise((resolve) => stream.once('error', resolve));
    controller.abort();
    expect(await failed).toMatchObject({ code: ErrorCode.ABORTED });
    expect(stream.destroyed).toBe(true);
  });

  it('passes an error the consumer destroys the stream with through as it is', async () => {
    const data = Buffer.alloc(3_000_000, 7);
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'a.bin', data },
    ]);
    const pkg = await OpcPackage.open(bytes);
    const stream = pkg.openStream(pkg.requireItem('a.bin'));
    const mine = new Error('the consumer gave up');
    const failed = new Promise((resolve) => stream.once('error', resolve));
    stream.once('data', () => stream.destroy(mine));
    expect(await failed).toBe(mine);
  });

  it('a declared size the process cannot reserve is a typed error, not a RangeError (found by review)', async () => {
    // 4 MB of data declared as 3.9 GB (within deflate's ratio): read whole with a caller's large maxSize.
    const data = zlib.deflateRawSync(randomBytes(4_000_000));
    const file = writeZip(
      'liar.zip',
      craftZip([
        { name: '[Content_Types].xml', data: typesXml() },
        { name: 'big.bin', data, method: 'raw', compressed: data, uncompressedSize: 3_900_000_000 },
      ]).bytes,
    );
    const script = `
      const { OpcPackage } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'packages/opc/dist/index.js')).href)});
      const pkg = await OpcPackage.open(${JSON.stringify(file)});
      try { await pkg.readPart(pkg.requireItem('big.bin'), { maxSize: 5e9 }); console.log('read'); }
      catch (e) { console.log(e.constructor.name, e.code); }
      finally { await pkg.close(); }`;
    // Less address space than the declared size: the buffer cannot be reserved.
    const limited = execFileSync(
      'bash',
      ['-c', `ulimit -v 3500000; exec "$0" --input-type=module -e "$1"`, process.execPath, script],
      { encoding: 'utf8' },
    );
    expect(limited.trim()).toBe('AppvError ZIP_SIZE_LIMIT');
    // With room to reserve it, the stream finds the lie, as before.
    const free = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(free.trim()).toMatch(/^AppvError ZIP_SIZE_MISMATCH$/);
  });

  it('names the part and its data offset when the file shrinks under a read', async () => {
    const big = Buffer.concat([
      Buffer.from(zlib.deflateRawSync(Buffer.alloc(10))),
      Buffer.alloc(2_000_000, 1),
    ]);
    const file = writeZip(
      'shrink.zip',
      craftZip([
        { name: '[Content_Types].xml', data: typesXml() },
        { name: 'small.bin', data: Buffer.from('hello '.repeat(100)) },
        { name: 'big.bin', data: big },
      ]).bytes,
    );
    const copy = path.join(work, 'shrunk.zip');
    copyFileSync(file, copy);
    const pkg = await OpcPackage.open(copy);
    try {
      truncateSync(copy, 200);
      for (const name of ['small.bin', 'big.bin']) {
        const item = pkg.requireItem(name);
        const expected = { code: ErrorCode.ZIP_TRUNCATED, part: name, offset: expect.any(Number) };
        await expect(pkg.readPart(item, { maxSize: 1e9 })).rejects.toMatchObject(expected);
        await expect(pipeline(pkg.openStream(item), drain())).rejects.toMatchObject(expected);
        await expect(pkg.readRaw(item, 0, 10)).rejects.toMatchObject(expected);
      }
    } finally {
      await pkg.close();
    }
  });

  it('refuses raw bytes of an item that cannot be read safely, as the other reads do', async () => {
    // ghost.bin's central directory entry points at real.bin's local record: the two overlap.
    const entries = [
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'real.bin', data: Buffer.from('SECRET-PAYLOAD') },
    ];
    const first = craftZip(entries);
    const realOffset = first.layout.entries[1]?.localHeaderOffset ?? 0;
    const { bytes } = craftZip([
      ...entries,
      {
        name: 'ghost.bin',
        data: Buffer.from('SECRET-PAYLOAD'),
        localHeaderOffset: realOffset,
        omitLocalRecord: true,
      },
    ]);
    const pkg = await OpcPackage.open(bytes);
    const ghost = pkg.requireItem('ghost.bin');
    expect(ghost.readable).toBe(false);
    // The reason is the verifier's finding, in the same words (found by review: ZIP_DATA_INVALID before).
    const overlap = {
      code: ErrorCode.ZIP_ENTRY_OVERLAP,
      part: 'ghost.bin',
      message: expect.stringMatching(/^ghost\.bin \(local header at offset \d+\) overlaps real\.bin/),
    };
    await expect(pkg.readRaw(ghost)).rejects.toMatchObject(overlap);
    await expect(pkg.readPart(ghost)).rejects.toMatchObject(overlap);
    expect(() => pkg.openStream(ghost)).toThrow(expect.objectContaining(overlap));
    // The earlier entry of the two is named only in that message, and is refused for the same reason.
    await expect(pkg.readPart(pkg.requireItem('real.bin'))).rejects.toMatchObject({
      code: ErrorCode.ZIP_ENTRY_OVERLAP,
      part: 'real.bin',
    });
  });

  it('an entry whose size runs out of the file is the only one refused: the entries after it stay readable (found by review)', async () => {
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'huge.bin', data: Buffer.from('data'), method: 'stored', compressedSize: 0x7fffffff },
      { name: 'after.bin', data: Buffer.from('intact') },
    ]);
    const pkg = await OpcPackage.open(bytes);
    expect(pkg.findings.map((f) => f.code)).not.toContain(ErrorCode.ZIP_ENTRY_OVERLAP);
    expect(pkg.findings).toContainEqual(
      expect.objectContaining({ code: ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS, part: 'huge.bin' }),
    );
    expect(pkg.requireItem('huge.bin').readable).toBe(false);
    expect((await pkg.readPart(pkg.requireItem('after.bin'))).toString()).toBe('intact');
    expect(pkg.requireItem('[Content_Types].xml').readable).toBe(true);
  });

  it('names why an item cannot be read: an encrypted entry is ZIP_ENCRYPTED, method 12 ZIP_METHOD_UNSUPPORTED', async () => {
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'a%20b/secret.bin', data: Buffer.from('data'), flags: 0x0009 },
      { name: 'bzip2.bin', data: Buffer.from('data'), method: 'stored', methodCode: 12 },
    ]);
    const pkg = await OpcPackage.open(bytes);
    await expect(pkg.readPart(pkg.requireItem('a b/secret.bin'))).rejects.toMatchObject({
      code: ErrorCode.ZIP_ENCRYPTED,
      part: 'a b\\secret.bin',
      message: 'a b\\secret.bin is encrypted; OPC packages are never encrypted',
    });
    await expect(pkg.readRaw(pkg.requireItem('bzip2.bin'))).rejects.toMatchObject({
      code: ErrorCode.ZIP_METHOD_UNSUPPORTED,
      part: 'bzip2.bin',
    });
    // The package's findings locate the part by its decoded name too, as later findings do.
    expect(pkg.findings.find((f) => f.code === ErrorCode.ZIP_ENCRYPTED)?.part).toBe('a b\\secret.bin');
  });

  it('says a directory entry has no content', async () => {
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'dir/', data: Buffer.alloc(0), method: 'stored' },
      { name: 'dir/a.bin', data: Buffer.from('hi') },
    ]);
    const pkg = await OpcPackage.open(bytes);
    const dir = pkg.items.find((item) => item.kind === 'directory');
    expect(dir).toBeDefined();
    await expect(pkg.readPart(dir as never)).rejects.toMatchObject({
      code: ErrorCode.OPC_DIRECTORY_ENTRY,
      message: expect.stringMatching(/directory entry, which has no content/),
    });
  });

  it('refuses misuse with USAGE errors, never a TypeError', async () => {
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'a.bin', data: Buffer.from('hello') },
    ]);
    const pkg = await OpcPackage.open(bytes);
    const usage = { code: ErrorCode.USAGE };
    await expect(pkg.readRaw(undefined as never)).rejects.toMatchObject(usage);
    await expect(pkg.readPart(undefined as never)).rejects.toMatchObject(usage);
    expect(() => pkg.openStream(undefined as never)).toThrow(expect.objectContaining(usage));
    expect(() => pkg.requireItem(undefined as never)).toThrow(expect.objectContaining(usage));
    const item = pkg.requireItem('a.bin');
    for (const maxSize of [Number.NaN, -1, '5' as never]) {
      await expect(pkg.readPart(item, { maxSize })).rejects.toMatchObject(usage);
    }
    await expect(OpcPackage.open({ nope: true } as never)).rejects.toMatchObject(usage);
    await expect(OpcPackage.open(new URL('https://example.com/a.appv'))).rejects.toMatchObject(usage);
  });

  it('opens bytes as a Uint8Array or ArrayBuffer, and a path as a file: URL', async () => {
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'a.bin', data: Buffer.from('hello') },
    ]);
    const file = writeZip('inputs.zip', bytes);
    const copy = new Uint8Array(bytes);
    for (const input of [copy, copy.buffer, pathToFileURL(file)]) {
      const pkg = await OpcPackage.open(input);
      expect((await pkg.readPart(pkg.requireItem('a.bin'))).toString()).toBe('hello');
      await pkg.close();
    }
  });

  it('strictUtf8 refuses bytes that are not UTF-8 with an AppvError, not a TypeError', () => {
    expect(strictUtf8.decode(Buffer.from('\ufeffa', 'utf8'))).toBe('\ufeffa');
    expect(() => strictUtf8.decode(Buffer.from([0x61, 0xff]))).toThrow(
      expect.objectContaining({ code: ErrorCode.XML_ENCODING }),
    );
  });

  it('refuses reads of a closed source and invalid ranges as the caller mistakes they are', async () => {
    const source = new BufferSource(Buffer.alloc(100));
    await expect(source.read(-1, 1)).rejects.toMatchObject({ code: ErrorCode.USAGE });
    await expect(source.read(Number.NaN, 1)).rejects.toMatchObject({ code: ErrorCode.USAGE });
    await expect(source.read(0.5, 1)).rejects.toMatchObject({ code: ErrorCode.USAGE });
    await expect(source.read(90, 20)).rejects.toMatchObject({ code: ErrorCode.ZIP_TRUNCATED });
    await source.close();
    await expect(source.read(0, 1)).rejects.toMatchObject({ code: ErrorCode.USAGE, message: /was closed/ });
  });

  it('refuses a FIFO at once rather than waiting for a writer', async () => {
    const fifo = path.join(work, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(FileSource.open(fifo)).rejects.toMatchObject({
      code: ErrorCode.IO_READ_FAILED,
      message: /is a pipe, not a package file/,
    });
  });
});

describe('footprint XML size guards', () => {
  it('refuses an over-long attribute value or name before the second-opinion validator sees it', () => {
    const value = 'a'.repeat(MAX_XML_ATTRIBUTE_LENGTH + 1);
    expect(() => parseXml(`<T x="${value}"/>`)).toThrow(
      expect.objectContaining({ code: ErrorCode.XML_TOO_LARGE }),
    );
    const name = 'n'.repeat(MAX_XML_NAME_LENGTH + 1);
    expect(() => parseXml(`<${name}/>`)).toThrow(expect.objectContaining({ code: ErrorCode.XML_TOO_LARGE }));
    expect(() => parseXml(`<T ${name}="1"/>`)).toThrow(
      expect.objectContaining({ code: ErrorCode.XML_TOO_LARGE }),
    );
    // At the limits, accepted.
    expect(
      parseXml(`<T x="${'a'.repeat(MAX_XML_ATTRIBUTE_LENGTH)}"/>`).root.attributes[0]?.value,
    ).toHaveLength(MAX_XML_ATTRIBUTE_LENGTH);
    expect(parseXml(`<${'n'.repeat(MAX_XML_NAME_LENGTH)}/>`).root.name).toHaveLength(MAX_XML_NAME_LENGTH);
  });

  it('a content type that is not a media type makes [Content_Types].xml malformed', async () => {
    // 8 MiB of one letter compresses to a few KB; printed once per item it made `ls` of a 21 KB package
    // use 785 MB and crash.
    for (const contentType of ['x'.repeat(8 * 1024 * 1024), 'b/bin'.repeat(300), 'nonsense']) {
      const { bytes } = craftZip([
        { name: '[Content_Types].xml', data: typesXml(contentType) },
        { name: 'a.bin', data: Buffer.from('hi') },
      ]);
      const pkg = await OpcPackage.open(bytes);
      expect(pkg.contentTypes).toBeNull();
      expect(pkg.findings.map((f) => f.code)).toContain(
        contentType.length > MAX_XML_ATTRIBUTE_LENGTH
          ? ErrorCode.XML_TOO_LARGE
          : ErrorCode.CONTENT_TYPES_MALFORMED,
      );
    }
  });
});

describe('the central directory walk (found by review)', () => {
  it('finds the disk an entry starts on by position, not by a name that looks like a header', async () => {
    // A name of exactly 46 bytes that begins with the central header signature, read by yauzl in one read.
    const lookalike = Buffer.concat([Buffer.from('PK\x01\x02', 'latin1'), Buffer.alloc(42, 0x61)]);
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: lookalike, data: Buffer.from('x') },
      { name: 'b.bin', data: Buffer.from('y'), diskNumberStart: 1 },
    ]);
    const pkg = await OpcPackage.open(bytes);
    const disk = pkg.findings.filter((f) => f.code === ErrorCode.ZIP_MULTI_DISK);
    expect(disk.map((f) => f.part)).toEqual(['b.bin']);
  });

  it('a data descriptor local header may carry the uncompressed size (Info-ZIP to a pipe, the SDK reads it unchecked)', async () => {
    const data = Buffer.from('hello '.repeat(50));
    const { bytes } = craftZip([
      { name: '[Content_Types].xml', data: typesXml() },
      { name: 'a.bin', data, lfhUncompressedSize: data.length },
    ]);
    const pkg = await OpcPackage.open(bytes);
    expect(pkg.findings.filter((f) => f.code === ErrorCode.ZIP_LFH_INVALID)).toEqual([]);
  });
});

describe('AppvError across copies of the package (found by review)', () => {
  it('an AppvError from another copy of the package is still an AppvError', () => {
    // What a second copy of @appv/opc makes: its own class, the same registered mark.
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@appv/opc.AppvError')]: true,
      code: 'USAGE',
    });
    expect(foreign instanceof AppvError).toBe(true);
    expect(isAppvError(foreign)).toBe(true);
    expect(new Error('plain') instanceof AppvError).toBe(false);
  });

  it("a tool's subclass answers instanceof for its own errors only (it inherited the mark test)", () => {
    class ToolError extends AppvError {}
    expect(new AppvError(ErrorCode.USAGE, 'x') instanceof ToolError).toBe(false);
    expect(new ToolError(ErrorCode.USAGE, 'y') instanceof ToolError).toBe(true);
    expect(new ToolError(ErrorCode.USAGE, 'y') instanceof AppvError).toBe(true);
  });
});
