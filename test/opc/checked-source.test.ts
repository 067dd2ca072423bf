import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppvError, ErrorCode, OpcPackage, type RandomAccessSource } from '@appv/opc';
import { verifyPackage } from 'appv';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';

const bytes = readFileSync(path.join(repoRoot, 'examples/sample/VendorApp.appv'));

/** A caller's source over the sample, whose reads from the `from`-th on do what `misbehave` says. */
function source(
  from: number,
  misbehave: (offset: number, length: number) => Promise<unknown>,
): RandomAccessSource {
  let reads = 0;
  return {
    name: 'https://example.com/VendorApp.appv',
    size: bytes.length,
    close: async () => {},
    read: (offset, length) =>
      ++reads >= from
        ? (misbehave(offset, length) as Promise<Buffer>)
        : Promise.resolve(bytes.subarray(offset, offset + length)),
  };
}

describe('a caller RandomAccessSource is held to its promises (found by review)', () => {
  it('a read that throws is IO_READ_FAILED with the cause, when opening and when verifying', async () => {
    const blip = new TypeError('fetch failed');
    const failing = () => Promise.reject(blip);
    const open = await OpcPackage.open(source(1, failing)).catch((e: unknown) => e);
    expect(open).toBeInstanceOf(AppvError);
    expect(open).toMatchObject({ code: ErrorCode.IO_READ_FAILED, cause: blip });
    expect((open as AppvError).message).toMatch(
      /of https:\/\/example\.com\/VendorApp\.appv failed: fetch failed$/,
    );
    // Whichever read fails (listing, a document, the blocks), verify throws: a good package is not reported invalid.
    let reads = 0;
    const counted = source(Number.POSITIVE_INFINITY, failing);
    const read = counted.read.bind(counted);
    await verifyPackage({
      ...counted,
      read: (...args) => {
        reads++;
        return read(...args);
      },
    });
    expect(reads).toBeGreaterThan(11);
    for (const from of [3, 9, 11]) {
      await expect(verifyPackage(source(from, failing))).rejects.toMatchObject({
        code: ErrorCode.IO_READ_FAILED,
      });
    }
  });

  it('a read that returns fewer bytes than asked for is IO_READ_FAILED, not a package that seems valid', async () => {
    const short = (offset: number, length: number) =>
      Promise.resolve(Buffer.from(bytes.subarray(offset, offset + length - 1)));
    for (const from of [1, 5, 9]) {
      await expect(verifyPackage(source(from, short))).rejects.toMatchObject({
        code: ErrorCode.IO_READ_FAILED,
        message: expect.stringMatching(/returned \d+ bytes$/),
      });
    }
  });

  it('a read that ignores the signal and never settles: the abort is heard at once', async () => {
    const stalled = () => new Promise<never>(() => {});
    const started = performance.now();
    const verify = verifyPackage(source(7, stalled), { signal: AbortSignal.timeout(200) });
    await expect(verify).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    // Not a timing assertion on speed: only that it did not wait for the read (which never ends).
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});

describe('a footprint document whose read never settles: the abort is heard (found by review)', () => {
  /** The sample, with every read of `part`'s data stalled for ever. */
  async function stalledAt(part: string): Promise<RandomAccessSource> {
    const listing = await OpcPackage.open(bytes);
    const item = listing.requireItem(part);
    const start = item.dataOffset;
    const end = start + item.compressedSize;
    return {
      name: 'https://example.com/VendorApp.appv',
      size: bytes.length,
      close: async () => {},
      read: (offset, length) =>
        offset < end && offset + length > start
          ? new Promise<Buffer>(() => {})
          : Promise.resolve(bytes.subarray(offset, offset + length)),
    };
  }

  it.each(['AppxBlockMap.xml', 'FilesystemMetadata.xml', 'AppxManifest.xml'])(
    'verify, info and extract, %s stalled: ABORTED',
    async (part) => {
      const { packageInfo, extractPackage } = await import('appv');
      const calls = [
        async () => verifyPackage(await stalledAt(part), { signal: AbortSignal.timeout(200) }),
        async () => packageInfo(await stalledAt(part), { signal: AbortSignal.timeout(200) }),
        async () =>
          extractPackage(await stalledAt(part), path.join(tmpdir(), `appv-stalled-${process.pid}-${part}`), {
            signal: AbortSignal.timeout(200),
          }),
      ];
      // extract reads only FilesystemMetadata among the documents; the others it never waits on.
      const waiting = part === 'FilesystemMetadata.xml' ? calls : calls.slice(0, 2);
      for (const call of waiting) await expect(call()).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    },
  );

  it('a document read aborted by one caller is still read for the next', async () => {
    const { openPackage } = await import('appv');
    const pkg = await openPackage(bytes);
    try {
      await expect(pkg.blockMap({ signal: AbortSignal.abort() })).rejects.toMatchObject({
        code: ErrorCode.ABORTED,
      });
      expect((await pkg.blockMap()).files.length).toBeGreaterThan(0);
      await expect(pkg.manifest({ sginal: AbortSignal.abort() } as never)).rejects.toMatchObject({
        code: ErrorCode.USAGE,
      });
    } finally {
      await pkg.close();
    }
  });
});

describe("a caller RandomAccessSource's size (found by review)", () => {
  it('a size getter that throws is IO_READ_FAILED from open and from verify (not a corrupt-package finding)', async () => {
    const failing: RandomAccessSource = {
      name: 'https://example.com/x.appv',
      get size(): number {
        throw new Error('HEAD request failed');
      },
      read: async () => Buffer.alloc(0),
      close: async () => {},
    };
    const expected = {
      code: ErrorCode.IO_READ_FAILED,
      message: 'Cannot tell the size of https://example.com/x.appv: HEAD request failed',
    };
    await expect(OpcPackage.open(failing)).rejects.toMatchObject(expected);
    await expect(verifyPackage(failing)).rejects.toMatchObject(expected);
  });

  it.each([Number.NaN, -1, 1.5, '100'])('a size of %j is USAGE naming it', async (size) => {
    const odd = {
      size,
      read: async () => Buffer.alloc(0),
      close: async () => {},
    } as unknown as RandomAccessSource;
    await expect(OpcPackage.open(odd)).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: expect.stringMatching(/size is a whole number of bytes; the package says /),
    });
  });
});
