import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FilesystemEntry } from '@appv/manifest';
import { type AppvPackage, ErrorCode, editPackage, openPackage, packPackage, verifyPackage } from 'appv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudoText } from '../helpers/content.js';
import { asyncCodeOf } from '../helpers/error-code.js';
import { pythonVerifyBlockMap } from '../helpers/external.js';
import { fixtureFiles } from '../helpers/fixtures.js';

const work = mkdtempSync(path.join(tmpdir(), 'appv-edit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const out = (name = 'edited.appv') => {
  const dir = path.join(work, `${counter++}`);
  mkdirSync(dir);
  return path.join(dir, name);
};

const APP = 'Root\\VFS\\ProgramFilesX86\\Vendor App';
let original = '';

beforeAll(async () => {
  const source = path.join(work, 'source');
  mkdirSync(path.join(source, 'data'), { recursive: true });
  mkdirSync(path.join(source, 'empty'), { recursive: true });
  writeFileSync(path.join(source, 'app.exe'), pseudoText(300_000, 1));
  writeFileSync(path.join(source, 'app.ico'), pseudoText(2_000, 2));
  writeFileSync(path.join(source, 'data', 'big.dat'), pseudoText(500_000, 3));
  writeFileSync(path.join(source, 'data', 'small.txt'), 'small');
  original = path.join(work, 'original.appv');
  await packPackage(source, original, {
    vfs: 'ProgramFilesX86/Vendor App',
    name: 'Vendor.App',
    version: '1.2.3.4',
    primary: ['data/big.dat:0-2'],
  });
});

async function withPackage<T>(file: string, use: (pkg: AppvPackage) => Promise<T>): Promise<T> {
  const pkg = await openPackage(file);
  try {
    return await use(pkg);
  } finally {
    await pkg.close();
  }
}

async function verifyClean(file: string): Promise<void> {
  await withPackage(file, async (pkg) => {
    const report = await verifyPackage(pkg);
    expect(report.findings).toEqual([]);
  });
  const independent = pythonVerifyBlockMap(file);
  expect(independent.ok, independent.output).toBe(true);
}

/** Each part's compressed bytes, by name. */
function compressedParts(file: string): Promise<Map<string, Buffer>> {
  return withPackage(file, async (pkg) => {
    const bytes = readFileSync(file);
    return new Map(
      pkg.items.map((i) => [i.name, bytes.subarray(i.dataOffset, i.dataOffset + i.compressedSize)] as const),
    );
  });
}

async function identity(file: string) {
  return withPackage(file, async (pkg) => {
    const id = (await pkg.manifest()).identity;
    return { name: id.name, version: id.version, packageId: id.packageId, versionId: id.versionId };
  });
}

describe('appv edit', () => {
  it('--new-version keeps the PackageId, takes a new VersionId, bumps the version; payload copied raw', async () => {
    const file = out();
    const result = await editPackage(original, file, { newVersion: true });
    await verifyClean(file);
    const before = await identity(original);
    const after = await identity(file);
    expect(after.packageId).toBe(before.packageId);
    expect(after.versionId).not.toBe(before.versionId);
    expect(after.version).toBe('1.2.3.5');
    expect(after.name).toBe(before.name);
    expect(result.copied).toBe(4);

    const a = await compressedParts(original);
    const b = await compressedParts(file);
    for (const name of [
      `${APP}\\app.exe`,
      `${APP}\\app.ico`,
      `${APP}\\data\\big.dat`,
      `${APP}\\data\\small.txt`,
      'Registry.dat',
    ]) {
      expect(b.get(name)?.equals(a.get(name) as Buffer), name).toBe(true);
    }
    // Untouched App-V documents are copied raw too; the history gains an item.
    expect(b.get('StreamMap.xml')?.equals(a.get('StreamMap.xml') as Buffer)).toBe(true);
    expect(b.get('FilesystemMetadata.xml')?.equals(a.get('FilesystemMetadata.xml') as Buffer)).toBe(true);
    await withPackage(file, async (pkg) => expect((await pkg.packageHistory())?.items.length).toBe(2));
    await withPackage(file, async (pkg) => {
      for (const name of [`${APP}\\app.exe`, `${APP}\\data\\big.dat`]) {
        const source = await withPackage(original, (o) => o.readPart(name));
        expect((await pkg.readPart(name)).equals(source)).toBe(true);
      }
    });
  });

  it('--branch --name gives a new PackageId, VersionId and name', async () => {
    const file = out();
    await editPackage(original, file, {
      branch: true,
      name: 'Vendor.App.Beta',
      displayName: 'Vendor App Beta',
    });
    await verifyClean(file);
    const before = await identity(original);
    const after = await identity(file);
    expect(after.packageId).not.toBe(before.packageId);
    expect(after.versionId).not.toBe(before.versionId);
    expect(after.name).toBe('Vendor.App.Beta');
    await withPackage(file, async (pkg) =>
      expect((await pkg.manifest()).properties.displayName).toBe('Vendor App Beta'),
    );
  });

  it('--add and --remove change the payload; FilesystemMetadata and StreamMap follow', async () => {
    const added = path.join(work, 'added.txt');
    writeFileSync(added, pseudoText(70_000, 9));
    const replacement = path.join(work, 'replacement.dat');
    writeFileSync(replacement, pseudoText(10_000, 10));
    const file = out();
    const result = await editPackage(original, file, {
      add: [
        { name: 'Root/VFS/ProgramFilesX86/Vendor App/new dir/added {1}.txt', path: added },
        { name: `${APP}\\data\\big.dat`, path: replacement },
      ],
      remove: [`${APP}\\data\\small.txt`],
    });
    expect([result.added, result.removed]).toEqual([2, 1]);
    await verifyClean(file);
    await withPackage(file, async (pkg) => {
      expect(pkg.has(`${APP}\\data\\small.txt`)).toBe(false);
      expect((await pkg.readPart(`${APP}\\new dir\\added {1}.txt`)).equals(readFileSync(added))).toBe(true);
      expect((await pkg.readPart(`${APP}\\data\\big.dat`)).equals(readFileSync(replacement))).toBe(true);
      // big.dat shrank to one block: the primary block's run 0-2 is cut to it.
      const primary = (await pkg.streamMap())?.featureBlocks.find((b) => b.id === 'PrimaryFeatureBlock');
      expect(primary?.files).toEqual([{ name: `${APP}\\data\\big.dat`, runs: [{ index: 0, count: 1 }] }]);
      const metadata = await pkg.filesystemMetadata();
      expect(metadata?.emptyDirectories.map((d) => d.long)).toEqual([`${APP}\\empty`]);
    });
  });

  it('changes feature blocks: --publishing, --primary, --load-all', async () => {
    const file = out();
    await editPackage(original, file, {
      publishing: ['Root/VFS/ProgramFilesX86/Vendor App/app.exe:1'],
      loadAll: true,
    });
    await verifyClean(file);
    await withPackage(file, async (pkg) => {
      const map = await pkg.streamMap();
      const publishing = map?.featureBlocks.find((b) => b.id === 'PublishingFeatureBlock');
      expect(publishing?.files).toEqual([{ name: `${APP}\\app.exe`, runs: [{ index: 1, count: 1 }] }]);
      expect(map?.featureBlocks.find((b) => b.id === 'PrimaryFeatureBlock')?.loadAll).toBe(true);
    });
  });

  it('--set-version and --display-name', async () => {
    const file = out();
    await editPackage(original, file, { setVersion: '9.8.7.6', displayName: 'Renamed' });
    await verifyClean(file);
    expect((await identity(file)).version).toBe('9.8.7.6');
  });

  it('refuses contradictions and missing parts before writing anything', async () => {
    const file = out();
    const dir = path.dirname(file);
    expect(await asyncCodeOf(editPackage(original, file, { remove: ['Root/nope.txt'] }))).toBe(
      ErrorCode.PACK_INPUT_INVALID,
    );
    expect(await asyncCodeOf(editPackage(original, file, { branch: true }))).toBe(ErrorCode.USAGE);
    // --new-version keeps the PackageId: one given with it was silently ignored (found by review).
    const id = '11111111-2222-4333-8444-555555555555';
    expect(await asyncCodeOf(editPackage(original, file, { newVersion: true, packageId: id }))).toBe(
      ErrorCode.USAGE,
    );
    expect(await asyncCodeOf(editPackage(original, file, { setVersion: '1.2' }))).toBe(
      ErrorCode.APPV_MANIFEST_INVALID,
    );
    expect(
      await asyncCodeOf(editPackage(original, file, { add: [{ name: 'AppxBlockMap.xml', path: original }] })),
    ).toBe(ErrorCode.PACK_NAME_INVALID);
    expect(
      await asyncCodeOf(
        editPackage(original, file, { add: [{ name: 'Root/x.txt', path: path.join(work, 'missing') }] }),
      ),
    ).toBe(ErrorCode.PACK_SOURCE_UNREADABLE);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--deterministic with --new-version or --branch gives the same bytes each time (found by review)', async () => {
    for (const options of [{ newVersion: true }, { branch: true, name: 'Other.App' }]) {
      const [a, b] = [out(), out()];
      const first = await editPackage(original, a, { ...options, deterministic: true });
      await editPackage(original, b, { ...options, deterministic: true });
      expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
      expect((await verifyPackage(a)).valid).toBe(true);
      const pkg = await openPackage(original);
      const before = (await pkg.manifest()).identity;
      await pkg.close();
      expect(first.versionId).not.toBe(before.versionId);
      if (options.branch) expect(first.packageId).not.toBe(before.packageId);
      else expect(first.packageId).toBe(before.packageId);
    }
  });

  it('a payload edit keeps the short names of folders that remain (found by review: they were renumbered)', async () => {
    const source = path.join(work, 'shorts-src');
    mkdirSync(path.join(source, 'Sub Folder'), { recursive: true });
    writeFileSync(path.join(source, 'Sub Folder', 'a.txt'), 'a');
    const packed = path.join(work, 'shorts.appv');
    await packPackage(source, packed, { vfs: 'ProgramFilesX86/Vendor App', dynamicConfig: false });
    const added = path.join(work, 'b.txt');
    writeFileSync(added, 'b');
    const file = out();
    // "Sub Fold A" sorts first and, named afresh, would take SUBFOL~1 from "Sub Folder".
    const name = 'Root/VFS/ProgramFilesX86/Vendor App/Sub Fold A/b.txt';
    await editPackage(packed, file, { add: [{ name, path: added }] });
    const shorts = new Map<string, string>();
    const pkg = await openPackage(file);
    try {
      forEachEntryOf((await pkg.filesystemMetadata())?.entries ?? [], (long, short) =>
        shorts.set(long, short ?? ''),
      );
    } finally {
      await pkg.close();
    }
    expect(shorts.get('Sub Folder')).toBe('SUBFOL~1');
    expect(shorts.get('Sub Fold A')).toBe('SUBFOL~2');
    expect((await verifyPackage(file)).valid).toBe(true);
  });

  it('--add refuses what pack refuses and what would make a part the folder of another (found by review)', async () => {
    const file = out();
    const content = path.join(work, 'added.txt');
    writeFileSync(content, 'added');
    const pkg = await openPackage(original);
    const payload = pkg.items.find((i) => i.name.startsWith('Root\\'))?.name as string;
    await pkg.close();
    const refused: [string, string][] = [
      ['Root/con.txt', ErrorCode.PACK_NAME_INVALID], // a device on Windows
      ['Root/trailing ', ErrorCode.PACK_NAME_INVALID],
      ['Root/tab\tx', ErrorCode.PACK_NAME_INVALID],
      ['Registry.dat/x', ErrorCode.PACK_NAME_COLLISION], // Registry.dat would be a folder
      [`${payload}\\inner.txt`, ErrorCode.PACK_NAME_COLLISION],
      [payload.slice(0, payload.lastIndexOf('\\')), ErrorCode.PACK_NAME_COLLISION], // a folder of parts
    ];
    for (const [name, code] of refused) {
      expect(await asyncCodeOf(editPackage(original, file, { add: [{ name, path: content }] }))).toBe(code);
    }
    // Two additions nested in each other collide too; replacing a part of the same name is fine.
    const nested = [
      { name: 'Root/new', path: content },
      { name: 'Root/new/deeper.txt', path: content },
    ];
    expect(await asyncCodeOf(editPackage(original, file, { add: nested }))).toBe(
      ErrorCode.PACK_NAME_COLLISION,
    );
    expect(readdirSync(path.dirname(file))).toEqual([]);
    await editPackage(original, file, { add: [{ name: payload, path: content }] });
    expect((await verifyPackage(file)).valid).toBe(true);
  });

  it('an AppX/MSIX package (no App-V parts) is refused with a typed error', async () => {
    const msix = fixtureFiles('valid')[0];
    const file = out();
    expect(await asyncCodeOf(editPackage(msix?.path as string, file, { newVersion: true }))).toMatch(
      /^APPV_/,
    );
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });
});

/** Every entry's long and short name, depth first. */
function forEachEntryOf(
  entries: readonly FilesystemEntry[],
  visit: (long: string, short: string | undefined) => void,
): void {
  for (const entry of entries) {
    visit(entry.long, entry.short);
    forEachEntryOf(entry.children, visit);
  }
}
