import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import {
  AtomicFile,
  BufferSource,
  ErrorCode,
  OpcPackage,
  PackageWriter,
  placeWithoutReplacing,
  placeWithoutReplacingSync,
  SMALL_PART_BYTES,
  TEMPORARY_PATH_EXTRA_BYTES,
  temporaryPathFor,
  WorkerPool,
  WRITE_JOB_BYTES,
  WRITE_QUEUE_BYTES,
  type WrittenPart,
} from '@appv/opc';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { asyncCodeOf } from '../helpers/error-code.js';
import { pythonList, pythonReadAll, pythonZipTest, unzipTest } from '../helpers/external.js';
import { repoRoot } from '../helpers/fixtures.js';
import {
  type RawCentralHeader,
  readCentralDirectory,
  readEndRecords,
  readLocalHeader,
} from '../helpers/zip-records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'appv-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const target = (name = 'out.zip') => path.join(dir, `${counter++}-${name}`);

/** Compressible but not trivial: text-like bytes with some structure. */
function textLike(size: number, seed = 1): Buffer {
  const words = ['alpha ', 'beta ', 'gamma\n', 'delta ', `seed${seed} `, 'epsilon\r\n'];
  const out = Buffer.alloc(size);
  let state = seed;
  for (let i = 0; i < size; ) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const word = words[state % words.length] as string;
    i += out.write(word, i);
  }
  return out;
}

/** A pool whose `hold`th job (1-based) waits for `release()` before it is run: to stage a race exactly. */
class GatedPool extends WorkerPool {
  private jobsSeen = 0;
  private open: () => void = () => {};
  private reached: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => {
    this.open = resolve;
  });
  /** Resolves once the held job has arrived. */
  readonly held = new Promise<void>((resolve) => {
    this.reached = resolve;
  });

  constructor(private readonly hold: number) {
    super(2);
  }

  override async run(...args: Parameters<WorkerPool['run']>): ReturnType<WorkerPool['run']> {
    if (++this.jobsSeen === this.hold) {
      this.reached();
      await this.gate;
    }
    return super.run(...args);
  }

  release(): void {
    this.open();
  }
}

const SIZES = [0, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 17, 1_300_000, 2_621_440];

/**
 * FORMAT.md §3: every block of a deflated part inflates alone, from a fresh raw inflater, to exactly the
 * bytes its hash names; stored blocks are slices. Checked against the package's real bytes.
 */
function checkBlocks(bytes: Buffer, part: WrittenPart, content: Buffer): void {
  const data = part.offset + part.lfhSize;
  let at = data;
  part.blocks.forEach((block, k) => {
    const expected = content.subarray(k * 65_536, (k + 1) * 65_536);
    let plain: Buffer;
    if (part.method === 8) {
      const size = block.size as number;
      plain = zlib.inflateRawSync(bytes.subarray(at, at + size), {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      });
      at += size;
    } else {
      expect(block.size).toBeUndefined();
      plain = bytes.subarray(data + k * 65_536, data + k * 65_536 + expected.length);
    }
    expect(plain.equals(expected)).toBe(true);
    expect(block.hash.equals(createHash('sha256').update(expected).digest())).toBe(true);
  });
  if (part.method === 8) {
    // Σ Block Size = compressed size − 2: the final block belongs to no block (FORMAT.md §3).
    expect(at - data).toBe(part.compressedSize - 2);
    expect([...bytes.subarray(at, at + 2)]).toEqual([0x03, 0x00]);
  }
}

describe('PackageWriter: the block-aligned ZIP64 profile (FORMAT.md §3, §8)', () => {
  const contents = new Map<string, Buffer>();
  SIZES.forEach((size, i) => {
    contents.set(`Root\\text ${size}.txt`, textLike(size, i + 1));
  });
  contents.set('Root\\random.bin', randomBytes(300_000));
  contents.set('Root\\{braces} 100% é.dat', textLike(70_000, 99));
  let file = '';
  let parts: readonly WrittenPart[] = [];

  it('writes parts of every size that read back byte-identical', async () => {
    file = target();
    const writer = await PackageWriter.toFile(file);
    for (const [name, content] of contents) await writer.addPart(name, content);
    const result = await writer.finish();
    parts = result.parts;
    expect(result.size).toBe(readFileSync(file).length);
    const pkg = await OpcPackage.open(file);
    try {
      // No [Content_Types].xml: this package is only a container (the App-V layer adds it).
      expect(pkg.findings.map((f) => f.code)).toEqual([ErrorCode.CONTENT_TYPES_MISSING]);
      for (const [name, content] of contents) {
        expect((await pkg.readPart(pkg.requireItem(name))).equals(content)).toBe(true);
      }
    } finally {
      await pkg.close();
    }
  });

  it('makes every block independently inflatable and records its size and hash', () => {
    const bytes = readFileSync(file);
    for (const part of parts) checkBlocks(bytes, part, contents.get(part.name) as Buffer);
    expect(parts.find((p) => p.name === 'Root\\random.bin')?.method).toBe(0); // deflate does not help
    expect(parts.find((p) => p.name === 'Root\\text 0.txt')?.method).toBe(0); // empty: stored
    expect(parts.find((p) => p.name === 'Root\\text 2621440.txt')?.method).toBe(8);
  });

  it('writes the SDK profile: LFH version 45, bit 3, no extra; 24-byte descriptors; ZIP64 end records', () => {
    const bytes = readFileSync(file);
    for (const part of parts) {
      const lfh = part.offset;
      expect(bytes.readUInt32LE(lfh)).toBe(0x04034b50);
      expect(bytes.readUInt16LE(lfh + 4)).toBe(45);
      expect(bytes.readUInt16LE(lfh + 6)).toBe(0x0008);
      expect(bytes.readUInt32LE(lfh + 14)).toBe(0);
      expect(bytes.readUInt16LE(lfh + 28)).toBe(0);
      expect(part.lfhSize).toBe(30 + Buffer.byteLength(part.zipName));
      const descriptor = lfh + part.lfhSize + part.compressedSize;
      expect(bytes.readUInt32LE(descriptor)).toBe(0x08074b50);
      expect(bytes.readUInt32LE(descriptor + 4)).toBe(part.crc >>> 0);
      expect(Number(bytes.readBigUInt64LE(descriptor + 8))).toBe(part.compressedSize);
      expect(Number(bytes.readBigUInt64LE(descriptor + 16))).toBe(part.size);
    }
    const eocd = bytes.length - 22;
    expect(bytes.readUInt32LE(eocd)).toBe(0x06054b50);
    expect(bytes.readUInt16LE(eocd + 10)).toBe(0xffff);
    expect(bytes.readUInt32LE(eocd + 16)).toBe(0xffffffff);
    const locator = eocd - 20;
    expect(bytes.readUInt32LE(locator)).toBe(0x07064b50);
    const record = Number(bytes.readBigUInt64LE(locator + 8));
    expect(bytes.readUInt32LE(record)).toBe(0x06064b50);
    expect(Number(bytes.readBigUInt64LE(record + 4))).toBe(44);
    expect([bytes.readUInt16LE(record + 12), bytes.readUInt16LE(record + 14)]).toEqual([45, 45]);
    expect(Number(bytes.readBigUInt64LE(record + 32))).toBe(parts.length);
  });

  it('writes a central directory without extras for parts under 4 GiB, and saturated classic end records', () => {
    const bytes = readFileSync(file);
    const headers = readCentralDirectory(bytes);
    expect(headers.map((h) => h.name)).toEqual(parts.map((p) => p.zipName));
    for (const [i, header] of headers.entries()) {
      const part = parts[i] as WrittenPart;
      expect(header.extra.length, part.zipName).toBe(0);
      expect([header.versionMadeBy, header.versionNeeded, header.flags, header.commentLength]).toEqual([
        45, 45, 0x0008, 0,
      ]);
      expect([header.method, header.crc, header.compressedSize, header.size, header.offset]).toEqual([
        part.method,
        part.crc >>> 0,
        part.compressedSize,
        part.size,
        part.offset,
      ]);
    }
    const end = readEndRecords(bytes);
    const directoryOffset = (headers[0] as RawCentralHeader).at;
    expect(end.eocd).toMatchObject({
      entriesOnDisk: 0xffff,
      entries: 0xffff,
      directorySize: 0xffffffff,
      directoryOffset: 0xffffffff,
      commentLength: 0,
    });
    expect(end.zip64).toMatchObject({
      entriesOnDisk: BigInt(parts.length),
      entries: BigInt(parts.length),
      directoryOffset: BigInt(directoryOffset),
      directorySize: BigInt((end.zip64 as { offset: number }).offset - directoryOffset),
    });
    expect(end.locator).toMatchObject({ disk: 0, disks: 1, recordOffset: BigInt(end.zip64?.offset ?? -1) });
  });

  it('is accepted by independent readers (unzip -t, Python zipfile) with the same names and sizes', () => {
    expect(unzipTest(file).ok).toBe(true);
    expect(pythonZipTest(file).ok).toBe(true);
    const listed = pythonList(file);
    expect(listed.map((l) => [l.name, l.size, l.crc])).toEqual(
      parts.map((p) => [p.zipName, p.size, p.crc >>> 0]),
    );
    const read = pythonReadAll(file);
    for (const part of parts)
      expect(read.get(part.zipName)?.equals(contents.get(part.name) as Buffer)).toBe(true);
  });

  it('copies a part raw: the compressed bytes are identical, no inflate, no deflate', async () => {
    const source = await OpcPackage.open(file);
    const copy = target();
    try {
      const writer = await PackageWriter.toFile(copy);
      for (const part of parts) {
        const item = source.requireItem(part.name);
        await writer.addRawPart(part.name, {
          source: source.source,
          dataOffset: item.dataOffset,
          compressedSize: item.compressedSize,
          size: item.uncompressedSize,
          crc: item.crc32,
          method: item.method as 0 | 8,
          blocks: part.blocks,
        });
      }
      const result = await writer.finish();
      const original = readFileSync(file);
      const copied = readFileSync(copy);
      for (const [i, part] of result.parts.entries()) {
        const from = parts[i] as WrittenPart;
        expect(part.blocks).toEqual(from.blocks);
        const a = original.subarray(
          from.offset + from.lfhSize,
          from.offset + from.lfhSize + from.compressedSize,
        );
        const b = copied.subarray(
          part.offset + part.lfhSize,
          part.offset + part.lfhSize + part.compressedSize,
        );
        expect(b.equals(a)).toBe(true);
      }
    } finally {
      await source.close();
    }
    expect(pythonZipTest(copy).ok).toBe(true);
  });

  it('leaves the caller’s buffers intact: part bytes are copied to the workers, never moved', async () => {
    const small = textLike(1000, 3);
    const large = textLike(3_000_000, 4);
    const copies = [Buffer.from(small), Buffer.from(large)];
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = PackageWriter.toStream(out, { threads: 2 });
    await writer.addPart('Root/small.txt', small);
    await writer.addPart('Root/large.txt', large);
    await writer.finish();
    expect([small.length, large.length]).toEqual([1000, 3_000_000]);
    expect(small.equals(copies[0] as Buffer) && large.equals(copies[1] as Buffer)).toBe(true);
    const pkg = await OpcPackage.open(Buffer.concat(chunks));
    expect((await pkg.readPart(pkg.requireItem('Root\\large.txt'))).equals(large)).toBe(true);
    await pkg.close();
  });

  it('takes files on disk and streams, and writes to a stream', async () => {
    const onDisk = path.join(dir, 'on-disk.bin');
    const content = textLike(1_500_000, 7);
    writeFileSync(onDisk, content);
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = PackageWriter.toStream(out);
    await writer.addPart('Root/from-file.txt', { path: onDisk });
    const stream = new PassThrough();
    stream.end(content);
    await writer.addPart('Root/from-stream.txt', stream);
    await writer.addPart('Root/small-file.txt', { path: onDisk, size: content.length });
    await writer.finish();
    const bytes = Buffer.concat(chunks);
    const pkg = await OpcPackage.open(bytes);
    for (const name of ['Root\\from-file.txt', 'Root\\from-stream.txt', 'Root\\small-file.txt']) {
      expect((await pkg.readPart(pkg.requireItem(name))).equals(content)).toBe(true);
    }
    await pkg.close();
  });

  it('property: any set of parts reads back byte-identical and every block verifies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            segment: fc.stringMatching(/^[A-Za-z0-9 é{}%_-]{1,12}$/).filter((s) => !/[ .]$/.test(s)),
            size: fc.constantFrom(0, 1, 100, 65_535, 65_536, 65_537, 200_000),
            random: fc.boolean(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (specs) => {
          const seen = new Set<string>();
          const entries = specs.flatMap((spec, i) => {
            const name = `Root\\${spec.segment}-${i}`;
            if (seen.has(name.toLowerCase())) return [];
            seen.add(name.toLowerCase());
            return [[name, spec.random ? randomBytes(spec.size) : textLike(spec.size, i)] as const];
          });
          const chunks: Buffer[] = [];
          const out = new PassThrough();
          out.on('data', (c: Buffer) => chunks.push(c));
          const writer = PackageWriter.toStream(out, { threads: 2 });
          for (const [name, content] of entries) await writer.addPart(name, content);
          const { parts: written } = await writer.finish();
          const bytes = Buffer.concat(chunks);
          const pkg = await OpcPackage.open(bytes);
          expect(pkg.findings.map((f) => f.code)).toEqual([ErrorCode.CONTENT_TYPES_MISSING]);
          for (const [name, content] of entries) {
            expect((await pkg.readPart(pkg.requireItem(name))).equals(content)).toBe(true);
          }
          await pkg.close();
          for (const [i, part] of written.entries()) checkBlocks(bytes, part, entries[i]?.[1] as Buffer);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('PackageWriter: header timestamps (deterministic writes)', () => {
  /** A package of a deflated, a stored, an empty and a raw-copied part, written to memory. */
  async function write(options: { deterministic?: boolean; modified?: Date }): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = PackageWriter.toStream(out, { threads: 2, ...options });
    await writer.addPart('Root/text.txt', textLike(100_000, 5));
    await writer.addPart('Root/stored.bin', textLike(1000, 6), { method: 'stored' });
    await writer.addPart('Root/empty.txt', Buffer.alloc(0));
    const content = textLike(5000, 7);
    const deflated = zlib.deflateRawSync(content);
    await writer.addRawPart('Root/raw.txt', {
      source: new BufferSource(deflated),
      dataOffset: 0,
      compressedSize: deflated.length,
      size: content.length,
      crc: zlib.crc32(content),
      method: 8,
      blocks: [{ hash: createHash('sha256').update(content).digest(), size: deflated.length }],
    });
    await writer.finish();
    return Buffer.concat(chunks);
  }

  /** [time, date] of every local header, then of every central header. */
  function stamps(bytes: Buffer): { local: number[][]; central: number[][] } {
    const headers = readCentralDirectory(bytes);
    expect(headers).toHaveLength(4);
    return {
      local: headers.map((h) => {
        const local = readLocalHeader(bytes, h.offset);
        return [local.time, local.date];
      }),
      central: headers.map((h) => [h.time, h.date]),
    };
  }

  it('deterministic: 1980-01-01 00:00:00 (time 0, date 0x0021) in every local and central header', async () => {
    const epoch = Array.from({ length: 4 }, () => [0, 0x0021]);
    expect(stamps(await write({ deterministic: true }))).toEqual({ local: epoch, central: epoch });
    // Even when a modification time is given: deterministic wins.
    const given = await write({ deterministic: true, modified: new Date(2030, 5, 7, 8, 9, 10) });
    expect(stamps(given)).toEqual({ local: epoch, central: epoch });
  });

  it('otherwise the modification time given, in both headers (MS-DOS form, local time)', async () => {
    const stamp = [(8 << 11) | (9 << 5) | 5, ((2030 - 1980) << 9) | (6 << 5) | 7];
    const all = Array.from({ length: 4 }, () => stamp);
    expect(stamps(await write({ modified: new Date(2030, 5, 7, 8, 9, 10) }))).toEqual({
      local: all,
      central: all,
    });
  });

  it('deterministic writes of the same parts are byte-identical, whatever the clock says', async () => {
    // Different modification times stand for writes made at different moments.
    const a = await write({ deterministic: true, modified: new Date(2001, 0, 2, 3, 4, 6) });
    const b = await write({ deterministic: true, modified: new Date(2024, 11, 30, 22, 58, 40) });
    const c = await write({ deterministic: true });
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(true);
    // Not so without it: the clock is in the headers.
    expect((await write({ modified: new Date(2001, 0, 2, 3, 4, 6) })).equals(a)).toBe(false);
  });
});

describe('PackageWriter: bad input and interruptions lose nothing', () => {
  it('refuses names OPC cannot carry and names that differ only in case, before writing them', async () => {
    const file = target();
    const writer = await PackageWriter.toFile(file);
    await writer.addPart('Root\\a.txt', Buffer.from('a'));
    // The last: more than the 65,535 bytes a ZIP header gives a name (refused here, not when written).
    for (const bad of [
      'Root\\..\\x',
      'Root\\dot.',
      'Root\\C:',
      'Root\\\\x',
      '',
      `Root\\${'ab\\'.repeat(21_845)}x`,
    ]) {
      expect(await asyncCodeOf(writer.addPart(bad, Buffer.from('x')))).toBe(ErrorCode.PACK_NAME_INVALID);
    }
    expect(await asyncCodeOf(writer.addPart('ROOT\\A.TXT', Buffer.from('b')))).toBe(
      ErrorCode.PACK_NAME_COLLISION,
    );
    // A name of exactly 65,535 bytes is one a ZIP header holds.
    const longest = `Root\\${'ab\\'.repeat(21_843)}x`;
    expect(longest.length).toBe(65_535);
    await writer.addPart(longest, Buffer.from('c'));
    // The refusals did not poison the writer: the package is still complete.
    const result = await writer.finish();
    expect(result.parts.map((p) => p.name)).toEqual(['Root\\a.txt', longest]);
    expect(pythonZipTest(file).ok).toBe(true);
  });

  it('an unreadable source fails the writer and leaves no file, not even a temporary one', async () => {
    const sub = mkdtempSync(path.join(dir, 'unreadable-'));
    const file = path.join(sub, 'out.zip');
    const writer = await PackageWriter.toFile(file);
    await writer.addPart('Root\\a.txt', textLike(500_000));
    expect(await asyncCodeOf(writer.addPart('Root\\b.txt', { path: path.join(sub, 'missing') }))).toBe(
      ErrorCode.PACK_SOURCE_UNREADABLE,
    );
    expect(await asyncCodeOf(writer.finish())).toBe(ErrorCode.PACK_SOURCE_UNREADABLE);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('a source that changes size while packed is caught', async () => {
    const sub = mkdtempSync(path.join(dir, 'changed-'));
    const source = path.join(sub, 'src.bin');
    writeFileSync(source, textLike(3_000_000));
    const writer = await PackageWriter.toFile(path.join(sub, 'out.zip'));
    expect(await asyncCodeOf(writer.addPart('Root\\src.bin', { path: source, size: 2_000_000 }))).toBe(
      ErrorCode.PACK_SOURCE_CHANGED,
    );
    await writer.abort();
    expect(readdirSync(sub)).toEqual(['src.bin']);
  });

  it('two writers to one path without overwrite: exactly one package is written, the other is refused (found by review)', async () => {
    const sub = mkdtempSync(path.join(dir, 'race-'));
    for (let i = 0; i < 20; i++) {
      const file = path.join(sub, `${i}.zip`);
      const results = await Promise.allSettled(
        [1, 2].map(async (n) => {
          const writer = await PackageWriter.toFile(file, { overwrite: false });
          await writer.addPart('Root\\who.txt', Buffer.from(`writer ${n}`));
          await writer.finish();
          return n;
        }),
      );
      const written = results.filter((r) => r.status === 'fulfilled');
      expect(written).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({
        reason: { code: ErrorCode.IO_TARGET_EXISTS },
      });
      const pkg = await OpcPackage.open(file);
      try {
        const who = (await pkg.readPart(pkg.requireItem('Root/who.txt'))).toString();
        expect(who).toBe(`writer ${(written[0] as PromiseFulfilledResult<number>).value}`);
      } finally {
        await pkg.close();
      }
    }
    expect(readdirSync(sub).filter((name) => name.includes('appv-tmp'))).toEqual([]);
  });

  it('placeWithoutReplacing: moves a file only to a free name, in one step', async () => {
    const sub = mkdtempSync(path.join(dir, 'place-'));
    const [a, b, taken] = ['a', 'b', 'taken'].map((name) => path.join(sub, name)) as [string, string, string];
    writeFileSync(a, 'a');
    writeFileSync(b, 'b');
    writeFileSync(taken, 'first');
    expect(await placeWithoutReplacing(a, taken)).toBe('exists');
    expect(placeWithoutReplacingSync(b, taken)).toBe('exists');
    expect(readFileSync(taken, 'utf8')).toBe('first');
    expect(await placeWithoutReplacing(a, path.join(sub, 'free'))).toBe('placed');
    expect(placeWithoutReplacingSync(b, path.join(sub, 'free-too'))).toBe('placed');
    expect(readdirSync(sub).sort()).toEqual(['free', 'free-too', 'taken']);
    expect(readFileSync(path.join(sub, 'free'), 'utf8')).toBe('a');
  });

  it('a second finish() is refused and leaves the first to finish the package (found by review)', async () => {
    const file = target('twice.zip');
    const writer = await PackageWriter.toFile(file);
    const content = textLike(300_000, 3);
    await writer.addPart('Root\\a.bin', content);
    const [first, second] = await Promise.allSettled([writer.finish(), writer.finish()]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.WRITER_STATE } });
    expect(await writer.finish().catch((e: { code: string }) => e.code)).toBe(ErrorCode.WRITER_STATE);
    const pkg = await OpcPackage.open(file);
    try {
      expect((await pkg.readPart(pkg.requireItem('Root/a.bin'))).equals(content)).toBe(true);
    } finally {
      await pkg.close();
    }
  });

  it('a source swapped for a FIFO after its size was taken is refused at once, not waited on for ever', () => {
    // Opening a FIFO blocks until a writer comes: synchronously (small files) that stopped the process
    // past every signal (found by review). A child process, so a hang fails this test instead of the run.
    const sub = mkdtempSync(path.join(dir, 'fifo-'));
    const fifo = path.join(sub, 'swapped.txt');
    execFileSync('mkfifo', [fifo]);
    const opc = pathToFileURL(path.join(repoRoot, 'packages/opc/dist/index.js')).href;
    for (const size of [3, 3_000_000]) {
      const script = `
        const { PackageWriter } = await import(${JSON.stringify(opc)});
        const writer = await PackageWriter.toFile(${JSON.stringify(path.join(sub, 'out.zip'))});
        const code = await writer.addPart('Root\\swapped.txt', { path: ${JSON.stringify(fifo)}, size: ${size} })
          .then(() => 'written', (error) => error.code);
        await writer.abort();
        console.log(code);`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.signal, `${size} bytes: the child was still blocked after 30 s`).toBeNull();
      expect(run.stdout.trim(), run.stderr).toBe(ErrorCode.PACK_SOURCE_CHANGED);
    }
    expect(readdirSync(sub)).toEqual(['swapped.txt']);
  });

  it('a small source that grew or shrank since its size was taken is caught too', async () => {
    const sub = mkdtempSync(path.join(dir, 'changed-small-'));
    const source = path.join(sub, 'small.txt');
    writeFileSync(source, textLike(2_000));
    for (const size of [1_999, 2_001, 1]) {
      const writer = await PackageWriter.toFile(path.join(sub, 'out.zip'));
      await writer.addPart('Root\\before.txt', textLike(100));
      expect(await asyncCodeOf(writer.addPart('Root\\small.txt', { path: source, size }))).toBe(
        ErrorCode.PACK_SOURCE_CHANGED,
      );
      await writer.abort();
    }
    const writer = await PackageWriter.toFile(path.join(sub, 'out.zip'));
    await writer.addPart('Root\\small.txt', { path: source, size: 2_000 });
    await writer.finish();
    expect(readdirSync(sub).sort()).toEqual(['out.zip', 'small.txt']);
  });

  it('a small source ending exactly at the end of its batch is checked for growth too', async () => {
    // Parts of SMALL_PART_BYTES share one WRITE_JOB_BYTES batch: the last one leaves no room for the probe
    // byte read with it, so its growth is probed with a read of its own.
    const perBatch = WRITE_JOB_BYTES / SMALL_PART_BYTES;
    expect(Number.isInteger(perBatch)).toBe(true);
    const sub = mkdtempSync(path.join(dir, 'changed-edge-'));
    const source = path.join(sub, 'last.bin');
    const content = textLike(SMALL_PART_BYTES + 1, 7);
    writeFileSync(source, content);
    const fill = async (writer: PackageWriter) => {
      for (let i = 0; i < perBatch - 1; i++)
        await writer.addPart(`Root\\${i}.bin`, textLike(SMALL_PART_BYTES, i));
    };
    const grew = await PackageWriter.toFile(path.join(sub, 'grew.zip'));
    await fill(grew);
    expect(await asyncCodeOf(grew.addPart('Root\\last.bin', { path: source, size: SMALL_PART_BYTES }))).toBe(
      ErrorCode.PACK_SOURCE_CHANGED,
    );
    await grew.abort();
    // The same position with the true size: the part is written whole.
    writeFileSync(source, content.subarray(0, SMALL_PART_BYTES));
    const file = path.join(sub, 'fits.zip');
    const fits = await PackageWriter.toFile(file);
    await fill(fits);
    await fits.addPart('Root\\last.bin', { path: source, size: SMALL_PART_BYTES });
    await fits.finish();
    const pkg = await OpcPackage.open(file);
    try {
      const read = await pkg.readPart(pkg.requireItem('Root\\last.bin'));
      expect(read.equals(content.subarray(0, SMALL_PART_BYTES))).toBe(true);
    } finally {
      await pkg.close();
    }
  });

  it('an AbortSignal stops the writer with ABORTED and removes the temporary file', async () => {
    const sub = mkdtempSync(path.join(dir, 'abort-'));
    const controller = new AbortController();
    const writer = await PackageWriter.toFile(path.join(sub, 'out.zip'), { signal: controller.signal });
    await writer.addPart('Root\\a.txt', textLike(2_000_000));
    controller.abort();
    expect(await asyncCodeOf(writer.addPart('Root\\b.txt', textLike(2_000_000)))).toBe(ErrorCode.ABORTED);
    expect(await asyncCodeOf(writer.finish())).toBe(ErrorCode.ABORTED);
    await writer.abort();
    expect(readdirSync(sub)).toEqual([]);
  });

  it('a signal aborted before the writer listens (as toFile makes its file) still stops it (found by review)', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = PackageWriter.toStream(out, { threads: 1, signal: AbortSignal.abort() });
    expect(await asyncCodeOf(writer.addPart('Root\\a.txt', Buffer.from('a')))).toBe(ErrorCode.ABORTED);
    expect(await asyncCodeOf(writer.finish())).toBe(ErrorCode.ABORTED);
    expect(Buffer.concat(chunks)).toHaveLength(0);
  });

  it('an abort while the producer waits for queue room ends addPart with ABORTED, not a hang', async () => {
    // The race: the queue is full, the producer sends its gathered parts (submit) before waiting for room,
    // and the abort lands while that send waits for a worker. The wake-up the abort sends then reaches
    // nobody; the producer must still see the failure when it starts to wait. Staged exactly: the output
    // never drains (nothing written frees queue room) and the pool holds back the send made from the wait.
    const partSize = Math.floor(WRITE_JOB_BYTES / 5); // five small parts fill one job
    expect(partSize).toBeLessThanOrEqual(SMALL_PART_BYTES);
    const partsToFill = Math.floor(WRITE_QUEUE_BYTES / partSize); // then the next part must wait
    const sendsBeforeTheWait = Math.floor((partsToFill - 1) / 5);
    const pool = new GatedPool(sendsBeforeTheWait + 1);
    const controller = new AbortController();
    const stalled = new Writable({ highWaterMark: 1, write: () => {} }); // never calls back
    const writer = PackageWriter.toStream(stalled, { pool, signal: controller.signal });
    try {
      // Random bytes: stored, so the first part's data is one large write, and it stalls.
      for (let i = 0; i < partsToFill; i++) await writer.addPart(`Root\\${i}.bin`, randomBytes(partSize));
      let settled = false;
      const waiting = writer.addPart('Root\\last.bin', randomBytes(partSize)).finally(() => {
        settled = true;
      });
      await pool.held;
      expect(settled).toBe(false); // the producer is inside the send the pool holds
      controller.abort();
      pool.release();
      expect(await asyncCodeOf(waiting)).toBe(ErrorCode.ABORTED);
    } finally {
      await writer.abort();
      await pool.destroy();
    }
  });

  it('a destination that fails mid-way (disk full) fails the writer: no hang, no temporary file left', async () => {
    // Fault injection on the real file writer: every write after the first two fails as a full disk does.
    const probe = await open(path.join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const write = proto.write;
    let calls = 0;
    proto.write = function (this: unknown, ...args: unknown[]) {
      if (++calls <= 2) return write.apply(this, args);
      return Promise.reject(
        Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
      );
    };
    const sub = mkdtempSync(path.join(dir, 'full-'));
    try {
      const writer = await PackageWriter.toFile(path.join(sub, 'out.zip'));
      let failed: string | undefined;
      // Incompressible parts, so each is written as it comes; far more than the writer's queue holds.
      for (let i = 0; i < 64 && failed === undefined; i++) {
        const code = await asyncCodeOf(writer.addPart(`Root\\${i}.bin`, randomBytes(200_000)));
        if (code !== 'no error') failed = code;
      }
      expect(failed).toBe(ErrorCode.IO_WRITE_FAILED);
      expect(await asyncCodeOf(writer.finish())).toBe(ErrorCode.IO_WRITE_FAILED);
      await writer.abort();
    } finally {
      proto.write = write;
    }
    expect(readdirSync(sub)).toEqual([]);
  });

  it('temporary names are unique and unguessable, across refills of their random pool', () => {
    const names = Array.from({ length: 3_000 }, () => temporaryPathFor('/x/package.appv'));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^\/x\/\.package\.appv\.appv-tmp-[0-9a-f]{12}$/);
  });

  it('a temporary path is at most TEMPORARY_PATH_EXTRA_BYTES longer than its target, and never splits a character', () => {
    for (const base of [
      'z',
      'package.appv',
      'x'.repeat(300),
      `${'a'.repeat(63)}😀${'b'.repeat(9)}`,
      '😀'.repeat(80),
    ]) {
      const target = `/x/${base}`;
      const temporary = temporaryPathFor(target);
      expect(Buffer.byteLength(temporary) - Buffer.byteLength(target)).toBeLessThanOrEqual(
        TEMPORARY_PATH_EXTRA_BYTES,
      );
      expect(temporary).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
    expect(Buffer.byteLength(temporaryPathFor('/x/z'))).toBe(
      Buffer.byteLength('/x/z') + TEMPORARY_PATH_EXTRA_BYTES,
    );
  });

  it('with overwrite false, an existing file is left alone', async () => {
    const file = target('exists.zip');
    writeFileSync(file, 'precious');
    expect(await asyncCodeOf(PackageWriter.toFile(file, { overwrite: false }))).toBe(
      ErrorCode.IO_TARGET_EXISTS,
    );
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(existsSync(file)).toBe(true);
  });
});

describe('PackageWriter: ZIP64 where the classic format runs out', () => {
  it('writes more than 65,535 entries; our reader and Python read them all', async () => {
    const file = target('many.zip');
    const writer = await PackageWriter.toFile(file, { deterministic: true });
    const count = 70_000;
    for (let i = 0; i < count; i++)
      await writer.addPart(`Root\\d${i % 100}\\f${i}.txt`, Buffer.from(`file ${i}\n`));
    await writer.finish();
    const listed = pythonList(file);
    expect(listed.length).toBe(count);
    expect(listed[count - 1]?.name).toBe(`Root/d99/f${count - 1}.txt`);
    const pkg = await OpcPackage.open(file);
    try {
      expect(pkg.items.length).toBe(count);
      const last = pkg.requireItem(`Root\\d99\\f${count - 1}.txt`);
      expect((await pkg.readPart(last)).toString()).toBe(`file ${count - 1}\n`);
    } finally {
      await pkg.close();
    }
  }, 300_000);

  it('round-trips a part larger than 4 GiB, generated on the fly (ZIP64 extra in the central directory)', async () => {
    const file = target('huge.zip');
    // A 100-byte pattern: each block starts with a fresh dictionary (FORMAT.md §3), so only a short period compresses well.
    const piece = Buffer.alloc(1 << 20, textLike(100, 42));
    const pieces = 4 * 1024 + 3; // 4 GiB + 3 MiB
    const size = pieces * piece.length;
    const written = createHash('sha256');
    async function* generate(): AsyncGenerator<Buffer> {
      for (let i = 0; i < pieces; i++) {
        written.update(piece);
        yield piece;
      }
    }
    const writer = await PackageWriter.toFile(file, { level: 1 });
    await writer.addPart('Root\\huge.bin', generate());
    await writer.addPart('Root\\after.txt', Buffer.from('after the big one'));
    const { parts: out } = await writer.finish();
    const huge = out[0] as WrittenPart;
    expect(huge.size).toBe(size);
    expect(huge.blocks.length).toBe(Math.ceil(size / 65_536));
    expect(huge.compressedSize).toBeLessThan(size / 20);

    const pkg = await OpcPackage.open(file);
    try {
      expect(pkg.findings.map((f) => f.code)).toEqual([ErrorCode.CONTENT_TYPES_MISSING]);
      const item = pkg.requireItem('Root\\huge.bin');
      expect(item.uncompressedSize).toBe(size);
      expect(item.zip64Extra).toBe(true);
      const read = createHash('sha256');
      for await (const chunk of pkg.openStream(item)) read.update(chunk as Buffer);
      expect(read.digest('hex')).toBe(written.digest('hex'));
      expect((await pkg.readPart(pkg.requireItem('Root\\after.txt'))).toString()).toBe('after the big one');
    } finally {
      await pkg.close();
    }
    expect(pythonList(file).map((l) => [l.name, l.size])).toEqual([
      ['Root/huge.bin', size],
      ['Root/after.txt', 17],
    ]);
  }, 600_000);
});

describe('PackageWriter: a writer killed mid-way', () => {
  it('leaves no file under the final name (SIGKILL while writing)', async () => {
    const sub = mkdtempSync(path.join(dir, 'killed-'));
    const file = path.join(sub, 'package.appv');
    const opc = new URL('../../packages/opc/dist/index.js', import.meta.url).href;
    const script = path.join(sub, 'writer.mjs');
    writeFileSync(
      script,
      `import { PackageWriter } from ${JSON.stringify(opc)};
       import { randomBytes } from 'node:crypto';
       const writer = await PackageWriter.toFile(${JSON.stringify(file)});
       for (let i = 0; ; i++) {
         await writer.addPart('Root\\\\part' + i + '.bin', randomBytes(4 << 20));
         if (i === 3) process.stdout.write('writing\\n');
       }`,
    );
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(file)).toBe(false);
    // What is left is only the recognisable temporary file, never a package under its name.
    const left = readdirSync(sub).filter((n) => n !== 'writer.mjs');
    expect(left.every((n) => /^\.package\.appv\.appv-tmp-[0-9a-f]{12}$/.test(n))).toBe(true);
    expect(left.length).toBe(1);
  });
});

describe('PackageWriter: a process that ends with a writer never finished', () => {
  it('removes the temporary file on exit, and leaves nothing under the final name', () => {
    const sub = mkdtempSync(path.join(dir, 'unfinished-'));
    const file = path.join(sub, 'package.appv');
    const opc = new URL('../../packages/opc/dist/index.js', import.meta.url).href;
    // The event loop runs dry with the writer open: no finish(), no abort, and the process ends normally.
    const script = `import { PackageWriter } from ${JSON.stringify(opc)};
       import { readdirSync } from 'node:fs';
       const writer = await PackageWriter.toFile(${JSON.stringify(file)});
       await writer.addPart('Root/part.bin', Buffer.alloc(200000, 7));
       process.stdout.write(JSON.stringify(readdirSync(${JSON.stringify(sub)})));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    // While it ran, the temporary file was there (the hook removed a file that existed)...
    const during = JSON.parse(run.stdout) as string[];
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^\.package\.appv\.appv-tmp-[0-9a-f]{12}$/);
    // ...and once the process has ended, nothing is left.
    expect(readdirSync(sub)).toEqual([]);
  });
});

describe('a small file that fails to read after others wait in the same job', () => {
  it('fails the add with a typed error, and abort returns, leaving no file under the final name', async () => {
    const first = path.join(dir, 'first-small.txt');
    writeFileSync(first, textLike(5000, 11));
    const out = target('vanished.zip');
    const writer = await PackageWriter.toFile(out);
    // The first file's bytes wait in a job that is not sent yet; the second's read then fails.
    await writer.addPart('Root/first.txt', { path: first, size: 5000 });
    const code = await asyncCodeOf(
      writer.addPart('Root/vanished.txt', { path: path.join(dir, 'no-such-file.txt'), size: 10 }),
    );
    expect(code).toBe(ErrorCode.PACK_SOURCE_UNREADABLE);
    await writer.abort(new Error('the source changed'));
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('vanished.zip'))).toEqual([]);
  });
});

describe('PackageWriter: waits that could not end (found by review)', () => {
  /** A destination that takes the first write and then never drains. */
  const stalled = () =>
    new Writable({
      highWaterMark: 16,
      write: () => {}, // never calls back: the stream stays full
    });

  it('a stalled destination that is destroyed ends finish() with IO_WRITE_FAILED', async () => {
    const out = stalled();
    const writer = PackageWriter.toStream(out, { threads: 1 });
    await writer.addPart('a.bin', textLike(200_000));
    const finishing = writer.finish();
    setTimeout(() => out.destroy(), 50); // a client that goes away
    expect(await asyncCodeOf(finishing)).toBe(ErrorCode.IO_WRITE_FAILED);
  });

  it('an abort while finish() waits on a stalled destination ends it with ABORTED', async () => {
    const controller = new AbortController();
    const writer = PackageWriter.toStream(stalled(), { threads: 1, signal: controller.signal });
    await writer.addPart('a.bin', textLike(200_000));
    const finishing = writer.finish();
    setTimeout(() => controller.abort(), 50);
    expect(await asyncCodeOf(finishing)).toBe(ErrorCode.ABORTED);
  });

  it('a destination destroyed as it is ended is not reported written', async () => {
    const out = new Writable({ write: (_chunk, _encoding, next) => next() });
    const end = out.end.bind(out);
    out.end = ((...args: Parameters<Writable['end']>) => {
      out.destroy();
      return end(...args);
    }) as Writable['end'];
    const writer = PackageWriter.toStream(out, { threads: 1 });
    await writer.addPart('a.bin', Buffer.from('hello'));
    expect(await asyncCodeOf(writer.finish())).toBe(ErrorCode.IO_WRITE_FAILED);
  });

  it('a destination that fails between writes, with no listener of its own, fails the writer with its error (found by review: the process crashed)', async () => {
    let writes = 0;
    // Takes writes without asking for a pause, and fails the third a turn later: 'error' comes while the
    // writer waits for nothing on the stream.
    const out = new Writable({
      highWaterMark: 1 << 30,
      write: (_chunk, _encoding, next) =>
        setImmediate(() => next(++writes === 3 ? new Error('disk gone') : null)),
    });
    const writer = PackageWriter.toStream(out, { threads: 1 });
    const text = textLike(3 * WRITE_JOB_BYTES);
    const outcome = await (async () => {
      for (let i = 0; i < 3; i++) await writer.addPart(`p${i}.txt`, text);
      await writer.finish();
    })().catch((error: unknown) => error);
    expect(outcome).toMatchObject({
      code: ErrorCode.IO_WRITE_FAILED,
      message: expect.stringMatching(/disk gone$/),
    });
    expect((outcome as Error).cause).toMatchObject({ message: 'disk gone' });
    // The writer's listener goes with it: the stream is the caller's again.
    expect(out.listenerCount('error')).toBe(0);
  });

  it('a destination that fails while a part waits on its source fails the part and stops the source (found by review)', async () => {
    const out = new Writable({ write: (_chunk, _encoding, next) => next() });
    const writer = PackageWriter.toStream(out, { threads: 1 });
    const source = new PassThrough();
    source.write(Buffer.alloc(1000, 1)); // then nothing more
    const adding = writer.addPart('a.bin', source);
    out.destroy(new Error('client went away'));
    const error = await adding.catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: ErrorCode.IO_WRITE_FAILED,
      message: expect.stringMatching(/client went away$/),
    });
    expect(source.destroyed).toBe(true);
  });

  it('options it refuses leave the caller stream as it was: no listener of the writer stays on it (found by review)', () => {
    for (const options of [{ level: 42 }, { algorithm: 'md5' as never }]) {
      const out = new Writable({ write: (_chunk, _encoding, next) => next() });
      expect(() => PackageWriter.toStream(out, options)).toThrow();
      expect(out.listenerCount('error')).toBe(0);
    }
  });

  it('a part that fails rejects once the temporary file is gone (found by review: the folder could not be removed)', async () => {
    const scratch = mkdtempSync(path.join(dir, 'failing-'));
    const writer = await PackageWriter.toFile(path.join(scratch, 'out.zip'), { threads: 1 });
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(100_000, 1);
      throw new Error('source broke');
    }
    expect(await asyncCodeOf(writer.addPart('a.bin', broken()))).toBe(ErrorCode.PACK_SOURCE_UNREADABLE);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('an abort while a part waits on a source that stopped sending rejects at once and stops the source', async () => {
    const controller = new AbortController();
    const writer = await PackageWriter.toFile(target(), { threads: 1, signal: controller.signal });
    const source = new PassThrough();
    source.write(Buffer.alloc(1000, 1)); // then nothing more, ever
    const adding = writer.addPart('a.bin', source);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    expect(await asyncCodeOf(adding)).toBe(ErrorCode.ABORTED);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(source.destroyed).toBe(true);
    await writer.abort();
  });
});

describe('AtomicFile.commit hears an abort up to the rename (found by review)', () => {
  it('an abort during the sync leaves nothing under the final name, nor a temporary file', async () => {
    const file = target('atomic.bin');
    const out = await AtomicFile.create(file);
    await out.handle.writeFile(Buffer.from('complete'));
    const controller = new AbortController();
    const committing = out.commit(controller.signal);
    controller.abort(); // while the sync runs
    expect(await asyncCodeOf(committing)).toBe(ErrorCode.ABORTED);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(path.dirname(file)).filter((n) => n.includes('atomic.bin'))).toEqual([]);
  });
});

describe('AtomicFile errors name the file asked for, not its temporary file (found by review)', () => {
  it('a temporary file that cannot be created: IO_WRITE_FAILED naming the target first', async () => {
    const error = await AtomicFile.create('/proc/appv-cannot-be-here.appv').then(
      () => null,
      (e: unknown) => e as { code?: string; message?: string; file?: string; part?: string },
    );
    expect(error?.code).toBe(ErrorCode.IO_WRITE_FAILED);
    expect(error?.file).toBe('/proc/appv-cannot-be-here.appv');
    expect(error?.part).toBeUndefined();
    expect(error?.message).toMatch(
      /^Cannot write \/proc\/appv-cannot-be-here\.appv: .*\(its temporary file \/proc\/\.appv-cannot-be-here\.appv\.appv-tmp-[0-9a-f]{12}\)$/,
    );
  });

  it('a rename that fails (a folder in the way): the target named, the temporary file removed', async () => {
    const file = target('in-the-way.appv');
    const out = await AtomicFile.create(file);
    await out.handle.writeFile(Buffer.from('complete'));
    mkdirSync(path.join(file, 'occupied'), { recursive: true });
    const error = await out.commit().then(
      () => null,
      (e: unknown) => e as { code?: string; message?: string; file?: string },
    );
    expect(error?.code).toBe(ErrorCode.IO_WRITE_FAILED);
    expect(error?.file).toBe(file);
    expect(error?.message?.startsWith(`Cannot write ${file}: `)).toBe(true);
    expect(readdirSync(path.dirname(file)).filter((n) => n.includes('appv-tmp'))).toEqual([]);
  });
});

describe('PackageWriter stops a stream source it leaves early (found by review)', () => {
  it('a destination that fails mid-part destroys the endless source being added', async () => {
    let written = 0;
    const out = new Writable({
      write: (chunk: Buffer, _encoding, next) => {
        written += chunk.length;
        next(written > 3_000_000 ? new Error('disk full') : null);
      },
    });
    const writer = PackageWriter.toStream(out, { threads: 1 });
    const piece = textLike(1_000_000);
    const source = new PassThrough();
    const feed = () => {
      while (source.write(piece)) {}
    };
    source.on('drain', feed);
    feed();
    expect(await asyncCodeOf(writer.addPart('endless.bin', source))).toBe(ErrorCode.IO_WRITE_FAILED);
    await writer.abort().catch(() => {});
    expect(source.destroyed).toBe(true);
  });
});

describe('PackageWriter: what it is given is checked before it is written (found by review)', () => {
  it('a chunk that is not bytes is USAGE, where an ArrayBuffer or a number was skipped into an empty part', async () => {
    for (const chunk of [new ArrayBuffer(70_000), 5, 'text']) {
      const file = target('chunk.zip');
      const writer = await PackageWriter.toFile(file);
      const add = writer.addPart(
        'Root\\data.bin',
        (async function* () {
          yield chunk as unknown as Uint8Array;
        })(),
      );
      await expect(add).rejects.toMatchObject({
        code: ErrorCode.USAGE,
        part: 'Root\\data.bin',
        message: expect.stringMatching(/the content yielded an? \w+; it must yield Uint8Array chunks/),
      });
      await writer.abort();
      expect(existsSync(file)).toBe(false);
    }
  });

  it('a name or content of the wrong type is USAGE before the writer takes it, and the writer goes on', async () => {
    const file = target('types.zip');
    const writer = await PackageWriter.toFile(file);
    const wrong: [string, () => Promise<void>][] = [
      ['a part name', () => writer.addPart(42 as unknown as string, Buffer.alloc(1))],
      ['as content', () => writer.addPart('Root\\a', 42 as unknown as Buffer)],
      ['as content', () => writer.addPart('Root\\a', 'text' as unknown as Buffer)],
      ['a raw part', () => writer.addRawPart('Root\\b', {} as never)],
    ];
    for (const [what, add] of wrong) {
      await expect(add()).rejects.toMatchObject({
        code: ErrorCode.USAGE,
        message: expect.stringContaining(what),
      });
    }
    await writer.addPart('Root\\a', Buffer.from('fine'));
    expect((await writer.finish()).parts.map((p) => p.name)).toEqual(['Root\\a']);
  });

  it.each([
    ['Root\\a', 'Root\\a\\b'],
    ['Root\\a\\b', 'Root\\a'],
    ['Root\\A\\b', 'Root\\a'],
    ['Root\\x\\y\\z', 'Root\\X\\Y'],
  ])(
    "%s then %s: PACK_NAME_COLLISION (a part name cannot be another one's folder), nothing written",
    async (first, second) => {
      const file = target('prefix.zip');
      const writer = await PackageWriter.toFile(file);
      await writer.addPart(first, Buffer.from('x'));
      await expect(writer.addPart(second, Buffer.from('y'))).rejects.toMatchObject({
        code: ErrorCode.PACK_NAME_COLLISION,
        message: expect.stringMatching(/would lie "inside" the part .*cannot be another's prefix/),
      });
      await writer.abort();
      expect(existsSync(file)).toBe(false);
    },
  );

  it('names that only share a beginning (Root\\ab and Root\\a\\b) are two parts, and the package verifies', async () => {
    const file = target('siblings.zip');
    const writer = await PackageWriter.toFile(file);
    await writer.addPart('Root\\ab', Buffer.from('x'));
    await writer.addPart('Root\\a\\b', Buffer.from('y'));
    await writer.finish();
    const pkg = await OpcPackage.open(file);
    expect(pkg.findings.filter((f) => f.code === ErrorCode.OPC_NAME_PREFIX)).toEqual([]);
    await pkg.close();
  });

  it('a pool that is not a WorkerPool is USAGE; a BigInt level too (its message broke on JSON)', async () => {
    await expect(PackageWriter.toFile(target(), { pool: {} as WorkerPool })).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: 'PackageWriter.toFile: option "pool" must be a WorkerPool',
    });
    await expect(PackageWriter.toFile(target(), { level: 6n as unknown as number })).rejects.toMatchObject({
      message: 'Deflate level 6n is not a whole number from 0 to 9',
    });
    expect(() => new WorkerPool(2n as unknown as number)).toThrow(
      expect.objectContaining({ code: ErrorCode.USAGE }),
    );
  });
});
