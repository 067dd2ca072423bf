import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  BLOCK_SIZE,
  BufferSource,
  digestPackage,
  ErrorCode,
  type ItemDigest,
  isAppvError,
  JOB_BYTES,
  MAX_DIGESTS_WAITING,
  OpcPackage,
  PackageWriter,
  WHOLE_ITEM_COMPRESSED_LIMIT,
  WorkerPool,
} from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { planningOrder } from '../../packages/opc/dist/blocks/digest-package.js';
import { InOrderDelivery } from '../../packages/opc/dist/blocks/in-order-delivery.js';
import { hostileCases } from '../helpers/hostile.js';
import { craftZip } from '../helpers/zip-crafter.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

/** What OpcPackage.open makes of the bytes: its readable items' names, or the code it refuses them with. */
async function openedAs(bytes: Buffer): Promise<{ names?: string[]; code?: string }> {
  try {
    const pkg = await OpcPackage.open(new BufferSource(bytes));
    return { names: pkg.items.filter((item) => item.readable).map((item) => item.name) };
  } catch (error) {
    return { code: isAppvError(error) ? error.code : 'not typed' };
  }
}

/** A package our writer makes in memory; `add` adds its parts. */
async function written(add: (writer: PackageWriter) => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const writer = PackageWriter.toStream(out, { threads: 2 });
  await add(writer);
  await writer.finish();
  return Buffer.concat(chunks);
}

async function digestedAs(bytes: Buffer): Promise<{ names?: string[]; code?: string }> {
  try {
    const digest = await digestPackage(new BufferSource(bytes), { threads: 2 });
    return { names: digest.parts.map((part) => part.name) };
  } catch (error) {
    return { code: isAppvError(error) ? error.code : 'not typed' };
  }
}

describe('digestPackage (the plain read path) lists a package as a ZIP only', () => {
  // It skips the OPC layer (naming, content types) but must read exactly what OpcPackage calls readable:
  // no directory entry, no overlapping entry, no item whose local header disagrees, under the same names.
  it.each(hostileCases().map((c) => [c.name, c.bytes] as const))(
    'digests what OpcPackage.open calls readable: %s',
    async (_, bytes) => {
      expect(await digestedAs(bytes)).toEqual(await openedAs(bytes));
    },
  );
});

describe('digestPackage with large items among small ones', () => {
  it('delivers every part in order and correct when large streams lie between small items', async () => {
    // Incompressible items of several job sizes (streamed in pieces, one worker each) between small ones.
    const contents: [string, Buffer][] = [];
    for (let i = 0; i < 6; i++) {
      contents.push([`Root/small-${i}-a.txt`, Buffer.from(`small ${i} `.repeat(200 + i))]);
      contents.push([
        `Root/large-${i}.bin`,
        randomBytes(WHOLE_ITEM_COMPRESSED_LIMIT + (i + 1) * JOB_BYTES + i),
      ]);
      contents.push([`Root/small-${i}-b.txt`, Buffer.from(`more ${i} `.repeat(90 + i))]);
    }
    const bytes = await written(async (writer) => {
      for (const [name, content] of contents) await writer.addPart(name, content, { method: 'deflate' });
    });
    const digest = await digestPackage(new BufferSource(bytes), { threads: 2 });
    expect(digest.parts.map((p) => p.name)).toEqual(contents.map(([name]) => name.replaceAll('/', '\\')));
    digest.parts.forEach((part, i) => {
      const content = (contents[i] as [string, Buffer])[1];
      expect(part.error).toBeNull();
      expect(part.size).toBe(content.length);
      expect(part.blockCount).toBe(Math.ceil(content.length / BLOCK_SIZE));
      part.blockHashes.forEach((hash, b) => {
        expect(hash?.equals(sha256(content.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE)))).toBe(true);
      });
    });
    expect(digest.bytes).toBe(contents.reduce((sum, [, c]) => sum + c.length, 0));
  });

  it('a large stream that fails to inflate fails that part alone; the items planned around it complete', async () => {
    const bytes = await written(async (writer) => {
      await writer.addPart('Root/before.txt', Buffer.from('before '.repeat(1000)), { method: 'deflate' });
      await writer.addPart('Root/large.bin', randomBytes(4 * JOB_BYTES), { method: 'deflate' });
      await writer.addPart('Root/after.txt', Buffer.from('after '.repeat(1000)), { method: 'deflate' });
    });
    const pkg = await OpcPackage.open(new BufferSource(bytes));
    const large = pkg.requireItem('Root\\large.bin');
    // Deflate block type 3 is reserved: the stream breaks a quarter of the way in.
    bytes.fill(0xff, large.dataOffset + JOB_BYTES + 100, large.dataOffset + JOB_BYTES + 400);
    const digest = await digestPackage(new BufferSource(bytes), { threads: 2 });
    // The broken part carries the inflate error; the parts around it (planned meanwhile) are intact.
    const byName = new Map(digest.parts.map((p) => [p.name, p]));
    expect(byName.get('Root\\large.bin')?.error).toMatch(/invalid block type/);
    expect(byName.get('Root\\large.bin')?.crc32).toBeNull();
    expect(byName.get('Root\\before.txt')?.error).toBeNull();
    expect(byName.get('Root\\after.txt')?.size).toBe('after '.length * 1000);
    expect(byName.get('Root\\after.txt')?.crc32).toBe(pkg.requireItem('Root\\after.txt').crc32);
  });

  it('an onItem that throws while a large stream is being fed ends the digest with USAGE, naming the callback', async () => {
    const bytes = await written(async (writer) => {
      await writer.addPart('Root/first.txt', Buffer.from('first '.repeat(100)), { method: 'deflate' });
      await writer.addPart('Root/large.bin', randomBytes(24 * JOB_BYTES), { method: 'deflate' });
      for (let i = 0; i < 50; i++)
        await writer.addPart(`Root/after-${i}.txt`, Buffer.from(`after ${i} `.repeat(50)));
    });
    let calls = 0;
    const digest = digestPackage(new BufferSource(bytes), {
      threads: 2,
      onItem: () => {
        calls++;
        throw new Error('the caller gave up');
      },
    });
    await expect(digest).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: 'The onItem callback threw: the caller gave up',
    });
    expect(calls).toBe(1);
  });
});

describe('digestPackage holds back planning while digests wait on an earlier one', () => {
  it('plans no more than MAX_DIGESTS_WAITING items ahead of a large item still on its worker', async () => {
    // A large incompressible item first (one worker inflates it for a while), then many small ones that
    // the other worker finishes long before it: without the bound every one of them would wait in memory.
    const small = MAX_DIGESTS_WAITING + 4_000;
    const bytes = await written(async (writer) => {
      await writer.addPart('Root/a-large.bin', randomBytes(48 * JOB_BYTES), { method: 'deflate' });
      for (let i = 0; i < small; i++)
        await writer.addPart(`Root/b-${i}.bin`, randomBytes(2_000), { method: 'stored' });
    });
    let planned = 0;
    let plannedAtFirst = -1;
    const digest = await digestPackage(new BufferSource(bytes), {
      threads: 2,
      onProgress: (done) => {
        planned = done;
      },
      onItem: () => {
        if (plannedAtFirst < 0) plannedAtFirst = planned;
      },
    });
    expect(digest.parts).toHaveLength(small + 1);
    // When the large item is delivered (first, in order), the small items planned are at most the waiting
    // bound plus what a few batches in flight hold; far fewer than all of them.
    const largeCompressed = 48 * JOB_BYTES;
    const smallPlanned = (plannedAtFirst - largeCompressed) / 2_000;
    expect(smallPlanned).toBeLessThan(MAX_DIGESTS_WAITING + 2_000);
  });

  it('finishes a central directory listed in the reverse order of the data (planned in list order)', async () => {
    // Planned in file order, the first listed item would come last, after the wait for room that needs
    // it: the digest never settled (found by review).
    // Items large enough that batches complete while planning goes on (tiny ones all share one batch).
    const count = MAX_DIGESTS_WAITING + 1_500;
    const entries = Array.from({ length: count }, (_, i) => ({
      name: `d/f${i}.bin`,
      data: Buffer.from(`entry ${i} `.repeat(200)),
      method: 'stored' as const,
    }));
    const { bytes } = craftZip(entries, { cdOrder: entries.map((_, i) => count - 1 - i) });
    const digest = await digestPackage(new BufferSource(bytes), { threads: 2 });
    expect(digest.parts).toHaveLength(count);
    // Delivered in list order (the reverse of the data), each with its own content's digest.
    expect(digest.parts[0]?.name).toBe(`d\\f${count - 1}.bin`);
    digest.parts.forEach((part, i) => {
      const data = entries[count - 1 - i]?.data as Buffer;
      expect(part.blockHashes[0]?.equals(sha256(data))).toBe(true);
    });
  });

  it('plans in file order unless an item lies MAX_DIGESTS_WAITING places later in the file than in the list', () => {
    const at = (offsets: number[]) => offsets.map((dataOffset) => ({ item: { dataOffset } }) as never);
    expect([...planningOrder(at([30, 10, 20]))]).toEqual([1, 2, 0]);
    // Item 0 is MAX_DIGESTS_WAITING - 1 places late: file order still cannot fill the delivery.
    const late = (by: number) => at([by, ...Array.from({ length: by }, (_, i) => i)]);
    expect(planningOrder(late(MAX_DIGESTS_WAITING - 1))[0]).toBe(1);
    // One place more and it could: the list's own order.
    expect(planningOrder(late(MAX_DIGESTS_WAITING))[0]).toBe(0);
    expect([...planningOrder(late(MAX_DIGESTS_WAITING))].every((index, i) => index === i)).toBe(true);
  });

  it('a halted delivery has room: the planner is never left waiting after a failure', async () => {
    const delivery = new InOrderDelivery({ collect: false }, () => {});
    // Item 0 never arrives, so everything after it waits: the delivery fills.
    for (let i = 1; i <= MAX_DIGESTS_WAITING; i++) delivery.settle(i, {} as ItemDigest);
    expect(delivery.full).toBe(true);
    delivery.halt();
    await delivery.room(); // without the halted check, nothing would ever resolve this
    expect(delivery.full).toBe(true);
  });
});

describe('digestPackage leaves no worker behind', () => {
  it('its worker threads are gone once it resolves, and once it rejects (listing or digest failed)', async () => {
    const bytes = await written(async (writer) => {
      for (let i = 0; i < 4; i++)
        await writer.addPart(`Root/f${i}.txt`, Buffer.from(`part ${i} `.repeat(20_000)));
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'appv-digest-workers-'));
    try {
      const file = path.join(dir, 'package.zip');
      writeFileSync(file, bytes);
      const opc = new URL('../../packages/opc/dist/index.js', import.meta.url).href;
      // In a process of its own, where nothing else starts workers. The diagnostic report lists every live
      // worker thread; an idle worker nobody stopped is unref'd, so the process ending proves nothing alone.
      const script = `
        import { readFileSync } from 'node:fs';
        const { BufferSource, digestPackage } = await import(${JSON.stringify(opc)});
        const workers = () => process.report.getReport().workers.length;
        const source = new BufferSource(readFileSync(${JSON.stringify(file)}));
        const result = { before: workers(), during: 0, after: [], codes: [] };
        const digest = await digestPackage(source, {
          threads: 2,
          onItem: () => { result.during = Math.max(result.during, workers()); },
        });
        result.parts = digest.parts.length;
        result.after.push(workers());
        const junk = new BufferSource(Buffer.alloc(1000, 0x41));
        await digestPackage(junk, { threads: 2 }).catch((error) => result.codes.push(error.code));
        result.after.push(workers());
        const failing = { threads: 2, onItem: () => { throw new Error('caller failed'); } };
        await digestPackage(source, failing).catch((error) => result.codes.push(error.code));
        result.after.push(workers());
        process.stdout.write(JSON.stringify(result));
      `;
      // A module file, not --input-type with -e: the workers inherit the process's flags.
      writeFileSync(path.join(dir, 'digest.mjs'), script);
      const run = spawnSync(process.execPath, [path.join(dir, 'digest.mjs')], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.signal, run.stderr).toBeNull(); // ended by itself, not by the timeout
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as {
        before: number;
        during: number;
        after: number[];
        codes: string[];
        parts: number;
      };
      expect(result.parts).toBe(4);
      expect(result.before).toBe(0);
      expect(result.during).toBeGreaterThan(0); // the report does see the pool's workers while they run
      expect(result.codes).toEqual([ErrorCode.ZIP_NOT_A_ZIP, ErrorCode.USAGE]);
      expect(result.after).toEqual([0, 0, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('digestPackage: the pool option (found by review: it was ignored, threads started per call)', () => {
  const sample = readFileSync(new URL('../../examples/sample/VendorApp.appv', import.meta.url));

  it('runs on the pool given and leaves it running for the next call', async () => {
    const pool = new WorkerPool(2);
    try {
      const first = await digestPackage(new BufferSource(sample), { pool });
      const second = await digestPackage(new BufferSource(sample), { pool });
      expect(second.parts.map((p) => p.crc32)).toEqual(first.parts.map((p) => p.crc32));
      expect(pool.started).toBe(2);
    } finally {
      await pool.destroy();
    }
    // A destroyed pool given is used, so the digest fails: it was silently replaced by a fresh one.
    await expect(digestPackage(new BufferSource(sample), { pool })).rejects.toMatchObject({
      code: ErrorCode.WORKER_FAILED,
    });
  });

  it('a pool that is not a WorkerPool is USAGE', async () => {
    await expect(
      digestPackage(new BufferSource(sample), { pool: 'junk' as unknown as WorkerPool }),
    ).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: 'digestPackage: option "pool" must be a WorkerPool',
    });
  });
});
