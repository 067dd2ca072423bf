import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode, editPackage, extractPackage, openPackage, packPackage, verifyPackage } from 'appv';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';

// Options objects as JavaScript callers write them: a key the call does not know is refused, not ignored.
const work = mkdtempSync(path.join(tmpdir(), 'appv-options-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sample = path.join(repoRoot, 'examples/sample/VendorApp.appv');

describe('options of the facade (found by review)', () => {
  it('an unknown or misspelt option is a USAGE error that names the likely one', async () => {
    const cases: [Promise<unknown>, RegExp][] = [
      [
        editPackage(sample, path.join(work, 'e.appv'), { version: '2.0.0.0' } as never),
        // The README's own example: it got no hint (found by review).
        /unknown option "version" \(did you mean "setVersion"\?\)/,
      ],
      [
        editPackage(sample, path.join(work, 'e.appv'), { newVersio: true } as never),
        /did you mean "newVersion"/,
      ],
      [packPackage(work, path.join(work, 'p.appv'), { VFS: 'X' } as never), /did you mean "vfs"/],
      [openPackage(sample, { readonly: true } as never), /did you mean "readOnly"/],
      [verifyPackage(sample, { onprogress: () => {} } as never), /did you mean "onProgress"/],
      [extractPackage(sample, path.join(work, 'x'), { overwite: true } as never), /did you mean "overwrite"/],
    ];
    for (const [call, message] of cases)
      await expect(call).rejects.toMatchObject({ code: ErrorCode.USAGE, message });
    expect(readdirSync(work).filter((n) => n.endsWith('.appv'))).toEqual([]);
  });
});

describe('option values and arguments of the wrong type (found by review)', () => {
  it('are USAGE errors naming the option, not TypeErrors from deep inside, and nothing is written', async () => {
    const out = path.join(work, 'typed.appv');
    const cases: [Promise<unknown>, RegExp][] = [
      [packPackage(work, out, { store: 'zip' } as never), /option "store" must be an array of strings/],
      // A glob matched nothing and the pack said nothing (found by review).
      [
        packPackage(work, out, { store: ['*.exe'] }),
        /store takes extensions such as "iso" or "\.iso", not "\*\.exe"/,
      ],
      [editPackage(sample, out, { store: [''] }), /editPackage: store takes extensions/],
      [packPackage(work, out, { opaqueDirectories: 'x' } as never), /"opaqueDirectories" must be an array/],
      [packPackage(work, out, { deterministic: 'yes' } as never), /"deterministic" must be true or false/],
      [packPackage(null as never, out), /the folder to pack must be a path/],
      [editPackage(sample, undefined as never), /the package to write must be a path/],
      [editPackage(sample, out, { remove: 'a' } as never), /"remove" must be an array of strings/],
      [editPackage(sample, out, { add: [{}] } as never), /"add" must be an array of \{ name, path \}/],
      [editPackage(sample, out, { name: 5 } as never), /"name" must be a string/],
      [verifyPackage(sample, { signal: 'x' } as never), /"signal" must be an AbortSignal/],
      [verifyPackage(sample, { onProgress: 1 } as never), /"onProgress" must be a function/],
      [extractPackage(sample, path.join(work, 'x'), { parts: 'a' } as never), /"parts" must be an array/],
      [openPackage(sample, { readOnly: 1 } as never), /"readOnly" must be true or false/],
      // No package at all is the caller's mistake, thrown, not a report of an invalid package.
      [verifyPackage(null as never), /A package is opened from a path/],
    ];
    for (const [call, message] of cases)
      await expect(call).rejects.toMatchObject({ code: ErrorCode.USAGE, message });
    expect(readdirSync(work).filter((n) => n.endsWith('.appv') || n.includes('appv-tmp'))).toEqual([]);
  });
});

describe('inputs of the facade (found by review)', () => {
  it('packageInfo takes a path too; listParts and digestPackage say what they take', async () => {
    const { listParts, packageInfo } = await import('appv');
    const { digestPackage, PackageWriter } = await import('@appv/opc');
    expect((await packageInfo(sample)).partCount).toBeGreaterThan(0);
    // It takes a signal, as the other calls do, and checks its options as they do.
    await expect(packageInfo(sample, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: ErrorCode.ABORTED,
    });
    await expect(packageInfo(sample, { sginal: 1 } as never)).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: expect.stringContaining('sginal'),
    });
    expect(() => listParts(sample as never)).toThrow(expect.objectContaining({ code: ErrorCode.USAGE }));
    await expect(digestPackage(sample as never)).rejects.toMatchObject({ code: ErrorCode.USAGE });
    await expect(PackageWriter.toFile(path.join(work, 'missing', 'out.appv'))).rejects.toMatchObject({
      code: ErrorCode.IO_WRITE_FAILED,
      message: expect.stringMatching(/the folder .*missing does not exist/),
    });
  });
});

describe('a callback that throws (found by review)', () => {
  it('comes back as USAGE with the thrown error as cause, not as a worker or write failure', async () => {
    const mine = new Error('my progress bar broke');
    const onProgress = () => {
      throw mine;
    };
    const { verifyPackage: verify, packPackage: pack, extractPackage: extract } = await import('appv');
    const calls = [
      () => verify(sample, { onProgress }),
      () => pack(path.join(repoRoot, 'examples/vendor-app'), path.join(work, 'cb.appv'), { onProgress }),
      () => extract(sample, path.join(work, 'cb-out'), { onProgress }),
    ];
    for (const call of calls) {
      await expect(call()).rejects.toMatchObject({ code: ErrorCode.USAGE, cause: mine });
    }
  });
});

describe('option types take an explicit undefined (found by review)', () => {
  it('as the code does, under exactOptionalPropertyTypes (this file is type-checked with it)', async () => {
    const signal: AbortSignal | undefined = undefined;
    const threads: number | undefined = undefined;
    const report = await verifyPackage(sample, { signal, threads, onProgress: undefined });
    expect(report.valid).toBe(true);
  });
});

describe('values of the wrong kind in options (found by review)', () => {
  it('a BigInt thread count or level is USAGE or PACK_INPUT_INVALID naming it, not a TypeError from JSON', async () => {
    await expect(verifyPackage(sample, { threads: 4n as unknown as number })).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: expect.stringContaining('not 4n'),
    });
    await expect(
      packPackage(path.join(repoRoot, 'examples/vendor-app'), path.join(work, 'big.appv'), {
        level: 6n as unknown as number,
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining('Deflate level 6n') });
    expect(readdirSync(work).filter((n) => n.startsWith('big'))).toEqual([]);
  });

  it('a pool that is not a WorkerPool is USAGE, not WORKER_FAILED', async () => {
    await expect(verifyPackage(sample, { pool: 'x' as never })).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: 'verifyPackage: option "pool" must be a WorkerPool',
    });
  });
});

describe('AppvPackage.part and .has take the ZIP name too, as documented (found by review)', () => {
  it('finds an item by its escaped ZIP name, and by the OPC part name with a leading /', async () => {
    const pkg = await openPackage(sample);
    try {
      const item = pkg.items.find((i) => i.zipName.includes('%20'));
      expect(item).toBeDefined();
      const zipName = (item as { zipName: string }).zipName;
      expect(pkg.part(zipName)).toBe(item);
      expect(pkg.has(zipName)).toBe(true);
      expect((await pkg.readPart(zipName)).length).toBe(
        (item as { uncompressedSize: number }).uncompressedSize,
      );
      expect(pkg.has('/AppxManifest.xml')).toBe(true);
      expect(pkg.has('Root/VFS/ProgramFilesX86/Vendor%20App/no-such.dll')).toBe(false);
      expect(() => pkg.part('Root/no%20such')).toThrow(
        expect.objectContaining({ code: ErrorCode.OPC_PART_NOT_FOUND }),
      );
    } finally {
      await pkg.close();
    }
  });
});
