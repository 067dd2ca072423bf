import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptyRegistryHive, parseDynamicConfiguration, parsePackageHistory } from '@appv/manifest';
import { MAX_PATH_DEPTH } from '@appv/opc';
import { ErrorCode, extractPackage, openPackage, packPackage, scanSource, verifyPackage } from 'appv';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { withinReadLimit } from '../../packages/appv/dist/pack/footprint-parts.js';
import { pseudoText } from '../helpers/content.js';
import { asyncCodeOf } from '../helpers/error-code.js';
import { pythonVerifyBlockMap, pythonZipTest, unzipTest } from '../helpers/external.js';
import { fixtureFiles, repoRoot } from '../helpers/fixtures.js';
import { craftZip } from '../helpers/zip-crafter.js';
import { type RawCentralHeader, readCentralDirectory, readLocalHeader } from '../helpers/zip-records.js';

const work = mkdtempSync(path.join(tmpdir(), 'appv-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const fresh = (label: string) => {
  const dir = path.join(work, `${counter++}-${label}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** A package layout as `appv extract` leaves it: a one-file folder packed, then extracted. */
async function extractedLayout(label: string): Promise<string> {
  const source = fresh(`${label}-src`);
  writeFileSync(path.join(source, 'a.txt'), 'a');
  const first = path.join(fresh(`${label}-out`), 'first.appv');
  await packPackage(source, first, { vfs: 'ProgramFilesX86/A', dynamicConfig: false });
  const layout = fresh(`${label}-layout`);
  await extractPackage(first, layout, { overwrite: true });
  return layout;
}

/** Every file (relative path → bytes) and every empty directory under `root`. */
function snapshot(root: string): { files: Map<string, Buffer>; empty: string[] } {
  const files = new Map<string, Buffer>();
  const empty: string[] = [];
  const walk = (dir: string, rel: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.length === 0 && rel !== '') empty.push(rel);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(full, childRel);
      else files.set(childRel, readFileSync(full));
    }
  };
  walk(root, '');
  return { files, empty: empty.sort() };
}

async function verifyClean(file: string): Promise<void> {
  const pkg = await openPackage(file);
  try {
    const report = await verifyPackage(pkg);
    expect(report.findings).toEqual([]);
    expect(report.valid).toBe(true);
  } finally {
    await pkg.close();
  }
}

/** Extracts the package `file` into `dir`. */
async function extractFile(file: string, dir: string): Promise<void> {
  const pkg = await openPackage(file);
  try {
    await extractPackage(pkg, dir);
  } finally {
    await pkg.close();
  }
}

/** Pack `source` (a plain folder) → verify → extract; the payload must come back byte for byte. */
async function roundTrip(source: string, vfs: string, options: { deterministic?: boolean } = {}) {
  const out = path.join(fresh('out'), 'pkg.appv');
  const result = await packPackage(source, out, { vfs, ...options });
  await verifyClean(out);
  const extracted = fresh('extracted');
  await extractFile(out, extracted);
  const placed = path.join(extracted, 'Root', 'VFS', ...vfs.split('/'));
  const before = snapshot(source);
  const after = snapshot(placed);
  expect([...after.files.keys()].sort()).toEqual([...before.files.keys()].sort());
  for (const [name, bytes] of before.files) expect(after.files.get(name)?.equals(bytes)).toBe(true);
  expect(after.empty).toEqual(before.empty);
  return { out, result };
}

describe('appv pack: a plain folder → a package that verifies and extracts byte-identical', () => {
  const source = fresh('source');
  const files: Record<string, Buffer> = {
    'app.exe': pseudoText(200_000, 1),
    'app.ico': randomBytes(1150),
    'empty.txt': Buffer.alloc(0),
    'one.bin': Buffer.from('x'),
    'edge 65535.dat': pseudoText(65_535, 2),
    'edge 65536.dat': pseudoText(65_536, 3),
    'edge 65537.dat': pseudoText(65_537, 4),
    'Unicode/été naïve ünïcödé.txt': Buffer.from('accents'),
    'Unicode/日本語/ファイル.txt': Buffer.from('japanese'),
    'braces/{GUID-1234} 100% [x] (y) #z &w.txt': Buffer.from('specials'),
    // A name starting with U+FEFF: a decoder that drops it as a byte order mark loses the file.
    '\uFEFFbom first.txt': Buffer.from('bom'),
    'images/photo.png': randomBytes(70_000),
  };
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(source, name)), { recursive: true });
    writeFileSync(path.join(source, name), bytes);
  }
  mkdirSync(path.join(source, 'logs', 'empty deep'), { recursive: true });
  mkdirSync(path.join(source, 'cache'), { recursive: true });
  let out = '';

  it('round-trips names, sizes and empty directories', async () => {
    ({ out } = await roundTrip(source, 'ProgramFilesX86/Vendor App'));
  });

  it('is accepted by unzip -t, Python zipfile and an independent BlockMap checker', () => {
    expect(unzipTest(out).ok).toBe(true);
    expect(pythonZipTest(out).ok).toBe(true);
    const blockMap = pythonVerifyBlockMap(out);
    expect(blockMap.ok, blockMap.output).toBe(true);
  });

  it('stores already-compressed content and deflates the rest, every block with its size', async () => {
    const pkg = await openPackage(out);
    try {
      const png = pkg.part('Root\\VFS\\ProgramFilesX86\\Vendor App\\images\\photo.png');
      expect(png.method).toBe(0);
      const exe = pkg.part('Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe');
      expect(exe.method).toBe(8);
      const map = await pkg.blockMap();
      const entry = map.files.find((f) => f.name === exe.name);
      expect(entry?.blocks.length).toBe(4);
      expect(entry?.blocks.every((b) => typeof b.size === 'number')).toBe(true);
      expect(entry?.lfhSize).toBe(exe.localHeaderSize);
    } finally {
      await pkg.close();
    }
  });

  it('generates the App-V documents: identity, application, publishing block, FilesystemMetadata, history', async () => {
    const pkg = await openPackage(out);
    try {
      const manifest = await pkg.manifest();
      expect(manifest.isAppV).toBe(true);
      expect(manifest.identity.packageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(manifest.identity.versionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(manifest.applications.map((a) => a.target)).toEqual([
        '[{ProgramFilesX86}]\\Vendor App\\app.exe',
      ]);
      const streamMap = await pkg.streamMap();
      const publishing = streamMap?.featureBlocks.find((b) => b.id === 'PublishingFeatureBlock');
      expect(publishing?.files.map((f) => f.name).sort()).toEqual([
        'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe',
        'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.ico',
      ]);
      const metadata = await pkg.filesystemMetadata();
      expect(metadata?.emptyDirectories.map((d) => d.long).sort()).toEqual([
        'Root\\VFS\\ProgramFilesX86\\Vendor App\\cache',
        'Root\\VFS\\ProgramFilesX86\\Vendor App\\logs\\empty deep',
      ]);
      expect((await pkg.packageHistory())?.items.length).toBe(1);
      expect(pkg.has('Registry.dat')).toBe(true);
    } finally {
      await pkg.close();
    }
  });

  it('writes <Name>_DeploymentConfig.xml and <Name>_UserConfig.xml beside the package, with its PackageId', async () => {
    const pkg = await openPackage(out);
    const packageId = (await pkg.manifest()).identity.packageId;
    await pkg.close();
    for (const suffix of ['DeploymentConfig', 'UserConfig']) {
      const config = parseDynamicConfiguration(
        readFileSync(path.join(path.dirname(out), `pkg_${suffix}.xml`)),
      );
      expect(config.packageId).toBe(packageId);
    }
  });

  it('--deterministic: the same input gives the same bytes', async () => {
    const a = path.join(fresh('det-a'), 'x.appv');
    const b = path.join(fresh('det-b'), 'x.appv');
    await packPackage(source, a, {
      vfs: 'ProgramFilesX86/Vendor App',
      deterministic: true,
      dynamicConfig: false,
    });
    await packPackage(source, b, {
      vfs: 'ProgramFilesX86/Vendor App',
      deterministic: true,
      dynamicConfig: false,
    });
    const bytes = readFileSync(a);
    expect(bytes.equals(readFileSync(b))).toBe(true);
    // The same bytes because no clock is in them: every header says 1980-01-01 00:00:00 (time 0, date 0x0021).
    const headers = readCentralDirectory(bytes);
    expect(headers.length).toBeGreaterThan(Object.keys(files).length);
    for (const header of headers) {
      const local = readLocalHeader(bytes, header.offset);
      expect([header.time, header.date, local.time, local.date], header.name).toEqual([0, 0x21, 0, 0x21]);
    }
  });

  it('--deterministic ids: the PackageId from name and publisher, the VersionId from the content (found by review)', async () => {
    const changed = fresh('det-changed');
    cpSync(source, changed, { recursive: true });
    const [first] = readdirSync(changed).filter((f) => statSync(path.join(changed, f)).isFile());
    writeFileSync(path.join(changed, first as string), 'one byte and more, different');
    const pack = (dir: string, label: string, extra: { version?: string } = {}) =>
      packPackage(dir, path.join(fresh(label), 'x.appv'), {
        vfs: 'ProgramFilesX86/Vendor App',
        name: 'Vendor.App',
        deterministic: true,
        dynamicConfig: false,
        ...extra,
      });
    const original = await pack(source, 'det-ids-a');
    const edited = await pack(changed, 'det-ids-b');
    const bumped = await pack(source, 'det-ids-c', { version: '2.0.0.0' });
    // Names and sizes alone gave different content the same ids; a version bump a new PackageId.
    expect(edited.packageId).toBe(original.packageId);
    expect(edited.versionId).not.toBe(original.versionId);
    expect(bumped.packageId).toBe(original.packageId);
    expect(bumped.versionId).not.toBe(original.versionId);
    // An empty id is refused, not replaced by a random one: the caller's mistake, naming the option.
    await expect(
      packPackage(source, path.join(fresh('det-empty'), 'x.appv'), { deterministic: true, packageId: '' }),
    ).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: expect.stringMatching(/^packPackage: packageId: /),
    });
  });

  it('--opaque takes a package path or one relative to the folder, spelled as the tree spells it, and nothing else (found by review)', async () => {
    const src = fresh('opaque-src');
    mkdirSync(path.join(src, 'Data', 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'Data', 'sub', 'a.txt'), 'a');
    mkdirSync(path.join(src, 'Empty'));
    const vfs = 'ProgramFilesX86/Vendor App';
    const opaqueOf = async (opaqueDirectories: string[]) => {
      const file = path.join(fresh('opaque-out'), 'o.appv');
      await packPackage(src, file, { vfs, dynamicConfig: false, opaqueDirectories });
      await verifyClean(file);
      const pkg = await openPackage(file);
      try {
        return (await pkg.filesystemMetadata())?.opaqueDirectories.map((d) => d.long);
      } finally {
        await pkg.close();
      }
    };
    expect(await opaqueOf(['data', 'root/vfs/programfilesx86/VENDOR APP/empty'])).toEqual([
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\Data',
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\Empty',
    ]);
    // `./dir` and an absolute path inside the folder, as --publishing takes them (found by review: refused).
    expect(await opaqueOf(['./Data/sub', path.join(src, 'Data')])).toEqual([
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\Data',
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\Data\\sub',
    ]);
    const file = path.join(fresh('opaque-bad'), 'o.appv');
    for (const missing of ['Root/VFS/Nope/Dir', 'nope', 'Data/sub/a.txt', path.join(src, 'Data', 'nope')]) {
      expect(await asyncCodeOf(packPackage(src, file, { vfs, opaqueDirectories: [missing] }))).toBe(
        ErrorCode.PACK_INPUT_INVALID,
      );
    }
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });

  it('takes feature blocks, LoadAll and identity from options', async () => {
    const file = path.join(fresh('options'), 'o.appv');
    const result = await packPackage(source, file, {
      vfs: 'ProgramFilesX86/Vendor App',
      name: 'Vendor.App',
      displayName: 'Vendor App',
      version: '2.3.4.5',
      packageId: '{0A1B2C3D-0000-4000-8000-000000000001}',
      // One file in three specs, in two spellings: one entry, its runs merged (found by review: three entries).
      publishing: ['app.ico', 'app.exe:0', 'APP.EXE:1,3', 'Root/VFS/ProgramFilesX86/Vendor App/app.exe:1'],
      // A whole file wins over runs of it.
      primary: [
        'Root/VFS/ProgramFilesX86/Vendor App/edge 65537.dat:0',
        'Root/VFS/ProgramFilesX86/Vendor App/edge 65537.dat',
      ],
      loadAll: true,
    });
    expect(result.packageId).toBe('0a1b2c3d-0000-4000-8000-000000000001');
    await verifyClean(file);
    const pkg = await openPackage(file);
    try {
      const map = await pkg.streamMap();
      const publishing = map?.featureBlocks.find((b) => b.id === 'PublishingFeatureBlock');
      expect(publishing?.files).toHaveLength(2);
      const exe = publishing?.files.find((f) => f.name.endsWith('app.exe'));
      expect(exe?.runs).toEqual([
        { index: 0, count: 2 },
        { index: 3, count: 1 },
      ]);
      const primary = map?.featureBlocks.find((b) => b.id === 'PrimaryFeatureBlock');
      expect(primary?.loadAll).toBe(true);
      expect(primary?.files).toEqual([
        { name: 'Root\\VFS\\ProgramFilesX86\\Vendor App\\edge 65537.dat', runs: 'whole' },
      ]);
      const manifest = await pkg.manifest();
      expect([manifest.identity.name, manifest.identity.version]).toEqual(['Vendor.App', '2.3.4.5']);
      expect(manifest.applications.map((a) => a.visualElements.version)).toEqual(['2.3.4.5']);
    } finally {
      await pkg.close();
    }
  });

  it('repacks its own extraction as a package layout, keeping the manifest and appending history', async () => {
    const extracted = fresh('layout');
    const pkg = await openPackage(out);
    const packageId = (await pkg.manifest()).identity.packageId;
    await extractPackage(pkg, extracted);
    await pkg.close();
    const again = path.join(fresh('again'), 'again.appv');
    const result = await packPackage(extracted, again);
    expect(result.layout).toBe('package');
    expect(result.packageId).toBe(packageId);
    await verifyClean(again);
    const repacked = await openPackage(again);
    try {
      const history = parsePackageHistory(await repacked.readPart('PackageHistory.xml'));
      expect(history.items.length).toBe(2);
    } finally {
      await repacked.close();
    }
  });
});

describe('appv pack: which parts are stored, and the order of the items', () => {
  /** FORMAT.md §3: content already compressed is stored by default (pack-package's built-in list). */
  const ALREADY_COMPRESSED = [
    '7z',
    'appv',
    'appx',
    'bz2',
    'cab',
    'docx',
    'gif',
    'gz',
    'jar',
    'jpeg',
    'jpg',
    'msix',
    'mp3',
    'mp4',
    'nupkg',
    'png',
    'pptx',
    'rar',
    'webp',
    'xlsx',
    'xz',
    'zip',
    'zst',
  ];
  // Zeros deflate to almost nothing: only the extension rule, not `auto` (deflate does not help), stores them.
  const zeros = Buffer.alloc(70_000);
  const VFS = 'ProgramFilesX86/Methods';
  const prefix = 'Root\\VFS\\ProgramFilesX86\\Methods\\';

  /** part name (relative to the packed folder, `\\` separators) → method, as the central directory has it. */
  function methods(file: string): Map<string, number> {
    const headers = readCentralDirectory(readFileSync(file));
    return new Map(
      headers
        .filter((h) => h.name.startsWith('Root/'))
        .map((h) => [decodeURIComponent(h.name).replaceAll('/', '\\').slice(prefix.length), h.method]),
    );
  }

  const source = fresh('methods-src');
  for (const extension of ALREADY_COMPRESSED) writeFileSync(path.join(source, `zeros.${extension}`), zeros);
  for (const name of [
    'upper.PNG',
    'mixed.JpG',
    'zeros.txt',
    'zeros.dat',
    'zeros.bin',
    'zeros.log',
    'png',
    'a.png.txt',
  ])
    writeFileSync(path.join(source, name), zeros);
  mkdirSync(path.join(source, 'dir.zip'));
  writeFileSync(path.join(source, 'dir.zip', 'inside'), zeros);

  it('stores every already-compressed extension, in any case, even when its content deflates well', async () => {
    const out = path.join(fresh('methods-default'), 'm.appv');
    const result = await packPackage(source, out, { vfs: VFS, dynamicConfig: false });
    await verifyClean(out);
    const method = methods(out);
    expect(method.size).toBe(ALREADY_COMPRESSED.length + 9);
    for (const extension of ALREADY_COMPRESSED) expect(method.get(`zeros.${extension}`), extension).toBe(0);
    expect([method.get('upper.PNG'), method.get('mixed.JpG')]).toEqual([0, 0]);
    // The rest is deflated: no extension, another extension after the last dot, a dot in a folder name only.
    for (const name of [
      'zeros.txt',
      'zeros.dat',
      'zeros.bin',
      'zeros.log',
      'png',
      'a.png.txt',
      'dir.zip\\inside',
    ])
      expect(method.get(name), name).toBe(8);
    // A stored part is its bytes as they are; the written records say the same as the central directory.
    const png = result.parts.find((p) => p.name === `${prefix}zeros.png`);
    expect([png?.method, png?.compressedSize, png?.blocks.every((b) => b.size === undefined)]).toEqual([
      0,
      70_000,
      true,
    ]);
  });

  it('store: more extensions to store, given with or without the dot, in any case', async () => {
    const out = path.join(fresh('methods-store'), 'm.appv');
    await packPackage(source, out, { vfs: VFS, dynamicConfig: false, store: ['dat', '.BIN', 'Log'] });
    await verifyClean(out);
    const method = methods(out);
    expect([method.get('zeros.dat'), method.get('zeros.bin'), method.get('zeros.log')]).toEqual([0, 0, 0]);
    expect([method.get('zeros.txt'), method.get('a.png.txt'), method.get('png')]).toEqual([8, 8, 8]);
    expect(method.get('zeros.cab')).toBe(0); // the built-in list still applies
  });

  it('writes the payload in ordinal name order, then Registry.dat, StreamMap, FilesystemMetadata, PackageHistory, the manifest, the BlockMap and [Content_Types].xml last (FORMAT.md §1)', async () => {
    const ordered = fresh('order-src');
    for (const name of ['b.txt', 'A.txt', 'a.txt2', 'Z.png', '_.txt'])
      writeFileSync(path.join(ordered, name), name);
    // Folders sort among the files, by their whole name: not listed folder by folder.
    for (const [folder, name] of [
      ['sub', 'c.txt'],
      ['Sub2', 'x.txt'],
      ['m', 'd.txt'],
    ] as const) {
      mkdirSync(path.join(ordered, folder));
      writeFileSync(path.join(ordered, folder, name), name);
    }
    const out = path.join(fresh('order-out'), 'o.appv');
    await packPackage(ordered, out, { vfs: 'ProgramFilesX86/Order', dynamicConfig: false });
    await verifyClean(out);
    const bytes = readFileSync(out);
    const headers = readCentralDirectory(bytes);
    expect(headers.map((h) => h.name)).toEqual([
      ...['A.txt', 'Sub2/x.txt', 'Z.png', '_.txt', 'a.txt2', 'b.txt', 'm/d.txt', 'sub/c.txt'].map(
        (n) => `Root/VFS/ProgramFilesX86/Order/${n}`,
      ),
      'Registry.dat',
      'StreamMap.xml',
      'FilesystemMetadata.xml',
      'PackageHistory.xml',
      'AppxManifest.xml',
      'AppxBlockMap.xml',
      '[Content_Types].xml',
    ]);
    // The file holds the items in that order too: each local record starts after the one before, and the
    // last one ([Content_Types].xml, its 24-byte descriptor included) ends where the central directory starts.
    const offsets = headers.map((h) => h.offset);
    expect(offsets[0]).toBe(0);
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    expect(new Set(offsets).size).toBe(offsets.length);
    const last = headers.at(-1) as RawCentralHeader;
    expect(last.offset + 30 + last.name.length + last.compressedSize + 24).toBe(headers[0]?.at);
  });
});

describe('pack and edit never write a footprint part their readers refuse (found by review)', () => {
  it('a BlockMap or content types past the read limit fails the write, with the part named', () => {
    const pieces = [Buffer.alloc(40, 0x61), Buffer.alloc(40, 0x62), Buffer.alloc(40, 0x63)];
    // Within the limit the pieces pass unchanged.
    expect(Buffer.concat([...withinReadLimit('AppxBlockMap.xml', pieces, 120)])).toEqual(
      Buffer.concat(pieces),
    );
    const passed: Uint8Array[] = [];
    const error = (() => {
      try {
        for (const piece of withinReadLimit('AppxBlockMap.xml', pieces, 100)) passed.push(piece);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: ErrorCode.PACK_INPUT_INVALID, part: 'AppxBlockMap.xml' });
    expect((error as Error).message).toMatch(/^AppxBlockMap\.xml would be more than 100 bytes/);
    expect(passed).toHaveLength(2);
  });
});

describe('appv pack: a package layout that changed since it was extracted (found by review)', () => {
  it("says when the kept manifest's application runs a file the layout no longer has, as edit and verify do", async () => {
    const source = fresh('target-src');
    writeFileSync(path.join(source, 'app.exe'), randomBytes(200_000));
    writeFileSync(path.join(source, 'readme.txt'), 'still here');
    const first = path.join(fresh('target-first'), 'a.appv');
    await packPackage(source, first, { vfs: 'ProgramFilesX86/src', dynamicConfig: false });
    const layout = fresh('target-layout');
    await extractFile(first, layout);
    rmSync(path.join(layout, 'Root', 'VFS', 'ProgramFilesX86', 'src', 'app.exe'));
    const again = path.join(fresh('target-again'), 'b.appv');
    const result = await packPackage(layout, again, { dynamicConfig: false });
    const missing = result.warnings.filter((w) => w.code === ErrorCode.APPV_APPLICATION_TARGET_MISSING);
    expect(missing).toEqual([
      expect.objectContaining({
        severity: 'warning',
        part: 'AppxManifest.xml',
        message: expect.stringContaining('[{ProgramFilesX86}]\\src\\app.exe'),
      }),
    ]);
    const report = await verifyPackage(again);
    expect(report.findings).toEqual(missing);
    // A layout that still has its executables says nothing of them.
    const whole = fresh('target-whole');
    await extractFile(first, whole);
    const quiet = await packPackage(whole, path.join(fresh('target-quiet'), 'c.appv'), {
      dynamicConfig: false,
    });
    expect(quiet.warnings).toEqual([]);
  });

  it('fits the kept StreamMap to the files on disk, and drops an empty directory that is gone', async () => {
    const source = fresh('changed-src');
    writeFileSync(path.join(source, 'app.exe'), randomBytes(200_000));
    writeFileSync(path.join(source, 'icon.ico'), randomBytes(1_000));
    mkdirSync(path.join(source, 'emptydir'));
    const first = path.join(fresh('changed-first'), 'a.appv');
    await packPackage(source, first, { vfs: 'ProgramFilesX86/src', dynamicConfig: false });
    const layout = fresh('changed-layout');
    const pkg = await openPackage(first);
    await extractPackage(pkg, layout);
    await pkg.close();
    const folder = path.join(layout, 'Root', 'VFS', 'ProgramFilesX86', 'src');
    // A published file deleted, a run made to reach past its file's end, an empty directory removed.
    rmSync(path.join(folder, 'icon.ico'));
    const streamMap = path.join(layout, 'StreamMap.xml');
    writeFileSync(streamMap, readFileSync(streamMap, 'utf8').replace(/Count="1"/, 'Count="10"'));
    rmdirSync(path.join(folder, 'emptydir'));
    const again = path.join(fresh('changed-again'), 'b.appv');
    const result = await packPackage(layout, again, { dynamicConfig: false });
    expect(result.emptyDirectories).toBe(0);
    await verifyClean(again); // it failed with APPV_STREAMMAP_FILE_UNKNOWN and APPV_STREAMMAP_BLOCK_RANGE
    // Each change to the kept map is said, with the code verify gives what it fixed (found by review: silent).
    const exe = 'Root\\VFS\\ProgramFilesX86\\src\\app.exe';
    expect(result.warnings).toEqual([
      {
        code: ErrorCode.APPV_STREAMMAP_BLOCK_RANGE,
        severity: 'warning',
        part: 'StreamMap.xml',
        message: `${exe} (feature block PublishingFeatureBlock) has 4 block(s); its runs (blocks 0-9) were cut to (blocks 0-3)`,
      },
      {
        code: ErrorCode.APPV_STREAMMAP_FILE_UNKNOWN,
        severity: 'warning',
        part: 'StreamMap.xml',
        message:
          'Root\\VFS\\ProgramFilesX86\\src\\icon.ico (feature block PublishingFeatureBlock) is not in the package: left out of the StreamMap',
      },
    ]);
    // A kept map that agrees with the files is not changed, and nothing is said.
    const untouched = fresh('changed-untouched');
    await extractFile(first, untouched);
    const repackedAsIs = await packPackage(untouched, path.join(fresh('changed-as-is'), 'c.appv'), {
      dynamicConfig: false,
    });
    expect(repackedAsIs.warnings).toEqual([]);
    const out = fresh('changed-out');
    const repacked = await openPackage(again);
    try {
      await extractPackage(repacked, out);
    } finally {
      await repacked.close();
    }
    expect(readdirSync(path.join(out, 'Root', 'VFS', 'ProgramFilesX86', 'src'))).toEqual(['app.exe']);
  });
});

describe('appv pack: property — random trees round-trip', () => {
  const segment = fc
    .stringMatching(/^[A-Za-z0-9 éü日{}%()+,;=@#&'!$^_~-]{1,10}$/)
    .filter((s) => !/[ .]$/.test(s) && !/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(s));
  const EDGE_SIZES = [0, 1, 65_535, 65_536, 65_537];
  /** A file (or an empty directory) anywhere up to three levels down, of a size around the block edges. */
  const entry = fc.record({
    path: fc.array(segment, { minLength: 1, maxLength: 3 }),
    size: fc.constantFrom(...EDGE_SIZES, 100, 140_000),
    emptyDir: fc.boolean(),
  });
  /** A small file, in one of a few folders: what makes a tree of many files. Its index keeps its name unique. */
  const small = fc.record({
    folder: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
    name: segment,
    size: fc.integer({ min: 0, max: 300 }),
  });
  const tree = (many: { minLength: number; maxLength: number }) =>
    fc.record({
      entries: fc.uniqueArray(entry, {
        minLength: 1,
        maxLength: 8,
        selector: (r) => r.path.join('/').normalize('NFC').toUpperCase(),
      }),
      folders: fc.uniqueArray(segment, { minLength: 8, maxLength: 8, selector: (s) => s.toUpperCase() }),
      small: fc.array(small, many),
      // Every tree also holds one file of each edge size, and an empty directory two levels down.
      edgeName: segment,
    });
  type Tree = ReturnType<typeof tree> extends fc.Arbitrary<infer T> ? T : never;

  /** What was written to disk in one run, to show which shapes the runs covered. */
  interface Shape {
    files: number;
    emptyDirectories: number;
    sizes: Set<number>;
    names: string[];
  }

  /** Writes the tree under a fresh folder (skipping paths that clash with one already taken) and round-trips it. */
  async function check(generated: Tree, shapes: Shape[]): Promise<void> {
    const source = fresh('prop');
    const shape: Shape = { files: 0, emptyDirectories: 0, sizes: new Set(), names: [] };
    const taken = new Set<string>();
    const key = (parts: readonly string[]) => parts.join('/').normalize('NFC').toUpperCase();
    const add = (parts: readonly string[], content: Buffer | 'directory') => {
      // A path cannot be both a file and a directory: skip one whose prefix is a file, or that is taken.
      const prefixes = parts.slice(0, -1).map((_, k) => key(parts.slice(0, k + 1)));
      const own = key(parts);
      if (prefixes.some((p) => taken.has(`f:${p}`)) || taken.has(`d:${own}`) || taken.has(`f:${own}`)) return;
      for (const p of prefixes) taken.add(`d:${p}`);
      const full = path.join(source, ...parts);
      if (content === 'directory') {
        mkdirSync(full, { recursive: true });
        taken.add(`d:${own}`);
      } else {
        mkdirSync(path.dirname(full), { recursive: true });
        writeFileSync(full, content);
        taken.add(`f:${own}`);
        shape.files++;
        shape.sizes.add(content.length);
        shape.names.push(parts.join('/'));
      }
    };
    for (const [i, size] of EDGE_SIZES.entries())
      add([`[edge ${size}] ${generated.edgeName}`], pseudoText(size, 1000 + i));
    add(['[empty] {x} 100%', `${generated.edgeName} é`], 'directory');
    for (const [i, e] of generated.entries.entries())
      add(e.path, e.emptyDir ? 'directory' : pseudoText(e.size, i + 1));
    for (const [i, s] of generated.small.entries()) {
      const name = `${s.name} ${i}`;
      const folder = s.folder === undefined ? undefined : generated.folders[s.folder];
      add(folder === undefined ? [name] : [folder, name], pseudoText(s.size, 2000 + i));
    }
    // An empty directory inside another empty directory's place is no longer empty: count what is on disk.
    shape.emptyDirectories = snapshot(source).empty.length;
    shapes.push(shape);
    await roundTrip(source, 'ProgramFilesX86/Prop App', { deterministic: true });
  }

  it('pack → verify → extract is byte-identical', async () => {
    const shapes: Shape[] = [];
    await fc.assert(
      fc.asyncProperty(tree({ minLength: 0, maxLength: 20 }), (t) => check(t, shapes)),
      { numRuns: 10 },
    );
    expect(shapes).toHaveLength(10);
    for (const shape of shapes) {
      for (const size of EDGE_SIZES) expect(shape.sizes.has(size)).toBe(true);
      expect(shape.emptyDirectories).toBeGreaterThan(0);
    }
    // The generated names (not the fixed edge files) hold non-ASCII letters, spaces, braces and percent signs.
    const names = shapes.flatMap((s) => s.names).filter((n) => !n.startsWith('[edge '));
    for (const special of [/[^ -~]/, / /, /[{}]/, /%/]) expect(names.some((n) => special.test(n))).toBe(true);
    // Deeper than the fixed edge files: the random entries reach into folders.
    expect(names.some((n) => n.split('/').length >= 2)).toBe(true);
  }, 120_000);

  it('pack → verify → extract is byte-identical for trees of many small files', async () => {
    const shapes: Shape[] = [];
    await fc.assert(
      fc.asyncProperty(tree({ minLength: 100, maxLength: 300 }), (t) => check(t, shapes)),
      { numRuns: 3 },
    );
    expect(shapes).toHaveLength(3);
    // Paths that clash are skipped, but few: every run packs at least a hundred files.
    for (const shape of shapes) expect(shape.files).toBeGreaterThanOrEqual(100);
  }, 120_000);
});

describe('appv pack --vfs: where a plain folder goes (found by review)', () => {
  const source = () => {
    const dir = fresh('vfs-src');
    writeFileSync(path.join(dir, 'tool.exe'), pseudoText(3_000, 2));
    return dir;
  };
  async function placed(vfs: string) {
    const out = path.join(fresh('vfs-out'), 'v.appv');
    await packPackage(source(), out, { vfs, dynamicConfig: false });
    expect((await verifyPackage(out)).findings).toEqual([]);
    const pkg = await openPackage(out);
    try {
      const manifest = await pkg.manifest();
      return {
        payload: pkg.items.map((i) => i.name).filter((n) => n.startsWith('Root\\')),
        targets: manifest.applications.map((a) => (a.kind === 'appv' ? a.target : undefined)),
      };
    } finally {
      await pkg.close();
    }
  }

  it('AppVPackageRoot is the package root itself, whose files the manifest names by that token', async () => {
    expect(await placed('AppVPackageRoot/Tool')).toEqual({
      payload: ['Root\\Tool\\tool.exe'],
      targets: ['[{AppVPackageRoot}]\\Tool\\tool.exe'],
    });
    expect(await placed('AppVPackageRoot')).toEqual({
      payload: ['Root\\tool.exe'],
      targets: ['[{AppVPackageRoot}]\\tool.exe'],
    });
  });

  it('a token as the manifest writes it, or in another case, is the known token', async () => {
    const expected = {
      payload: ['Root\\VFS\\ProgramFilesX86\\Tool\\tool.exe'],
      targets: ['[{ProgramFilesX86}]\\Tool\\tool.exe'],
    };
    expect(await placed('[{ProgramFilesX86}]/Tool')).toEqual(expected);
    expect(await placed('programfilesx86\\Tool')).toEqual(expected);
  });

  it('an empty .exe is packed but not offered as an application: it runs nothing (found by review)', async () => {
    const dir = source();
    writeFileSync(path.join(dir, 'stub.exe'), '');
    const out = path.join(fresh('vfs-stub'), 'v.appv');
    await packPackage(dir, out, { vfs: 'ProgramFilesX86/Tool', dynamicConfig: false });
    expect((await verifyPackage(out)).findings).toEqual([]);
    const pkg = await openPackage(out);
    try {
      expect(pkg.has('Root\\VFS\\ProgramFilesX86\\Tool\\stub.exe')).toBe(true);
      const targets = (await pkg.manifest()).applications.map((a) => (a.kind === 'appv' ? a.target : ''));
      expect(targets).toEqual(['[{ProgramFilesX86}]\\Tool\\tool.exe']);
    } finally {
      await pkg.close();
    }
  });

  it('a token one letter off a known one is a usage error naming it; other tokens are let be', async () => {
    const out = path.join(fresh('vfs-typo'), 'v.appv');
    const typo = packPackage(source(), out, { vfs: 'ProgramFilesX68/Tool' });
    await expect(typo).rejects.toMatchObject({
      code: ErrorCode.USAGE,
      message: expect.stringMatching(/did you mean "ProgramFilesX64"\?/),
    });
    expect(readdirSync(path.dirname(out))).toEqual([]);
    expect((await placed('Vendor Token/Tool')).payload).toEqual(['Root\\VFS\\Vendor Token\\Tool\\tool.exe']);
  });
});

describe('appv pack: bad input gets a typed error before anything is written', () => {
  async function expectNothingWritten(source: string, code: string, vfs = 'ProgramFilesX86/Bad') {
    const outDir = fresh('bad-out');
    const out = path.join(outDir, 'bad.appv');
    expect(await asyncCodeOf(packPackage(source, out, { vfs }))).toBe(code);
    expect(readdirSync(outDir)).toEqual([]);
  }

  it('without overwrite, an existing configuration file beside the output is refused before the package is written', async () => {
    const source = fresh('configs-src');
    writeFileSync(path.join(source, 'a.txt'), 'a');
    const outDir = fresh('configs-out');
    const out = path.join(outDir, 'app.appv');
    writeFileSync(path.join(outDir, 'app_UserConfig.xml'), 'mine');
    expect(await asyncCodeOf(packPackage(source, out, { vfs: 'ProgramFilesX86/A', overwrite: false }))).toBe(
      ErrorCode.IO_TARGET_EXISTS,
    );
    expect(readdirSync(outDir)).toEqual(['app_UserConfig.xml']);
    expect(readFileSync(path.join(outDir, 'app_UserConfig.xml'), 'utf8')).toBe('mine');
    // With overwrite (the default) it is replaced.
    await packPackage(source, out, { vfs: 'ProgramFilesX86/A' });
    expect(readFileSync(path.join(outDir, 'app_UserConfig.xml'), 'utf8')).toContain('UserConfiguration');
  });

  it('names that differ only in case or Unicode normalization', async () => {
    const source = fresh('case');
    writeFileSync(path.join(source, 'Readme.txt'), 'a');
    writeFileSync(path.join(source, 'README.TXT'), 'b');
    await expectNothingWritten(source, ErrorCode.PACK_NAME_COLLISION);
    const nfc = fresh('nfc');
    writeFileSync(path.join(nfc, 'caf\u00e9.txt'), 'a');
    writeFileSync(path.join(nfc, 'cafe\u0301.txt'), 'b');
    await expectNothingWritten(nfc, ErrorCode.PACK_NAME_COLLISION);
  });

  it('a collision or a bad name deep in the tree, in files or folders; one name in two folders is fine', async () => {
    const deepCase = fresh('deep-case');
    mkdirSync(path.join(deepCase, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(deepCase, 'a', 'b', 'x.txt'), '1');
    writeFileSync(path.join(deepCase, 'a', 'b', 'X.TXT'), '2');
    await expectNothingWritten(deepCase, ErrorCode.PACK_NAME_COLLISION);
    const folders = fresh('folder-case');
    for (const folder of ['Lib', 'LIB']) {
      mkdirSync(path.join(folders, 'a', folder), { recursive: true });
      writeFileSync(path.join(folders, 'a', folder, `${folder}.dll`), folder);
    }
    await expectNothingWritten(folders, ErrorCode.PACK_NAME_COLLISION);
    const deepBad = fresh('deep-bad');
    mkdirSync(path.join(deepBad, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(deepBad, 'a', 'b', 'NUL.txt'), 'x');
    await expectNothingWritten(deepBad, ErrorCode.PACK_NAME_INVALID);
    const badFolder = fresh('bad-folder');
    mkdirSync(path.join(badFolder, 'a', 'trailing dot.'), { recursive: true });
    writeFileSync(path.join(badFolder, 'a', 'trailing dot.', 'fine.txt'), 'x');
    await expectNothingWritten(badFolder, ErrorCode.PACK_NAME_INVALID);

    const twins = fresh('twins');
    for (const [folder, file] of [
      ['a', 'x.txt'],
      ['b', 'X.TXT'],
    ] as const) {
      mkdirSync(path.join(twins, folder));
      writeFileSync(path.join(twins, folder, file), folder);
    }
    const out = path.join(fresh('twins-out'), 'twins.appv');
    const result = await packPackage(twins, out, { vfs: 'ProgramFilesX86/Twins', dynamicConfig: false });
    expect(result.files).toBe(2);
    expect((await verifyPackage(out)).valid).toBe(true);
  });

  it('a folder nested past MAX_PATH_DEPTH segments (the limit itself packs), and a symbolic link loop', async () => {
    // Root\VFS\ProgramFilesX86\Bad is four segments; then the folders, then the file.
    const nested = (folders: number) => {
      const source = fresh('depth');
      const folder = path.join(source, ...Array.from({ length: folders }, () => 'd'));
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'f'), 'x');
      return source;
    };
    await expectNothingWritten(nested(MAX_PATH_DEPTH - 4), ErrorCode.PACK_NAME_INVALID);
    const out = path.join(fresh('depth-out'), 'deep.appv');
    const atLimit = await packPackage(nested(MAX_PATH_DEPTH - 5), out, {
      vfs: 'ProgramFilesX86/Bad',
      dynamicConfig: false,
    });
    expect(atLimit.parts.some((p) => p.name.split('\\').length === MAX_PATH_DEPTH)).toBe(true);

    // A --vfs so deep that the folder itself is past the limit, even with nothing in it.
    const tooDeepVfs = Array.from({ length: MAX_PATH_DEPTH - 1 }, () => 'v').join('/');
    await expectNothingWritten(fresh('empty'), ErrorCode.PACK_NAME_INVALID, tooDeepVfs);

    const loop = fresh('loop');
    mkdirSync(path.join(loop, 'a'));
    writeFileSync(path.join(loop, 'a', 'f.txt'), 'x');
    symlinkSync('..', path.join(loop, 'a', 'up'));
    await expectNothingWritten(loop, ErrorCode.PACK_INPUT_INVALID);
  });

  it('the source scan takes an AbortSignal: an abort stops the walk', async () => {
    const source = fresh('many');
    for (let d = 0; d < 10; d++) {
      mkdirSync(path.join(source, `d${d}`));
      for (let f = 0; f < 5; f++) writeFileSync(path.join(source, `d${d}`, `f${f}.txt`), 'x');
    }
    // An abort that comes while the walk runs is heard at its next folder; one already there, at its first.
    // (That a timer's abort gets its turn during a long walk at all is LoopTurns', tested on its own.)
    expect(await asyncCodeOf(scanSource(source, 'ProgramFilesX86/Many', AbortSignal.abort()))).toBe(
      ErrorCode.ABORTED,
    );
    expect(
      (await scanSource(source, 'ProgramFilesX86/Many', new AbortController().signal)).files,
    ).toHaveLength(50);
  });

  it('names OPC or Windows cannot carry', async () => {
    // < > " | ? * hold no Windows file; NUL .txt and CONIN$ are devices there; U+FFFE no XML holds, and it
    // failed only once the whole payload was compressed (found by review).
    const bad = ['trailing dot.', 'a\\b.txt', 'colon:name', 'NUL.txt', 'tab\there'];
    bad.push('a<b.txt', 'a>b.txt', 'say"hi".txt', 'pipe|x', 'why?.txt', 'star*.txt', 'NUL .txt', 'CONIN$');
    bad.push('x\uFFFE.txt', 'x\uFFFF.txt');
    for (const name of bad) {
      const source = fresh('name');
      writeFileSync(path.join(source, 'fine.txt'), 'ok');
      writeFileSync(path.join(source, name), 'x');
      await expectNothingWritten(source, ErrorCode.PACK_NAME_INVALID);
    }
    const latin1 = fresh('latin1');
    writeFileSync(Buffer.concat([Buffer.from(`${latin1}/`), Buffer.from([0x63, 0x61, 0x66, 0xe9])]), 'x');
    await expectNothingWritten(latin1, ErrorCode.PACK_NAME_INVALID);
  });

  it('a package layout: Root, and the parts kept beside it, are refused when they link outside (found by review)', async () => {
    const outside = fresh('layout-outside');
    writeFileSync(path.join(outside, 'secret'), 'not for the package');
    mkdirSync(path.join(outside, 'VFS', 'ProgramFilesX86', 'S'), { recursive: true });
    writeFileSync(path.join(outside, 'VFS', 'ProgramFilesX86', 'S', 'key.pem'), 'not for the package');
    const layout = () => {
      const source = fresh('layout-links');
      mkdirSync(path.join(source, 'Root', 'VFS', 'ProgramFilesX86', 'L'), { recursive: true });
      writeFileSync(path.join(source, 'Root', 'VFS', 'ProgramFilesX86', 'L', 'a.txt'), 'a');
      return source;
    };
    const packedOrCode = async (source: string) => {
      const outDir = fresh('layout-links-out');
      const code = await asyncCodeOf(
        packPackage(source, path.join(outDir, 'l.appv'), { dynamicConfig: false }),
      );
      return { code, written: readdirSync(outDir) };
    };
    const hive = layout();
    symlinkSync(path.join(outside, 'secret'), path.join(hive, 'Registry.dat'));
    expect(await packedOrCode(hive)).toEqual({ code: ErrorCode.PACK_INPUT_INVALID, written: [] });
    const manifest = layout();
    symlinkSync(path.join(outside, 'secret'), path.join(manifest, 'AppxManifest.xml'));
    expect(await packedOrCode(manifest)).toEqual({ code: ErrorCode.PACK_INPUT_INVALID, written: [] });
    const root = fresh('layout-root-link');
    symlinkSync(outside, path.join(root, 'Root'));
    expect(await packedOrCode(root)).toEqual({ code: ErrorCode.PACK_INPUT_INVALID, written: [] });
    // A kept part linked to a file inside the folder is followed, as any link inside is.
    const inside = layout();
    writeFileSync(path.join(inside, 'Root', 'hive.dat'), emptyRegistryHive());
    symlinkSync(path.join('Root', 'hive.dat'), path.join(inside, 'Registry.dat'));
    const out = path.join(fresh('layout-inside-out'), 'in.appv');
    await packPackage(inside, out, { dynamicConfig: false });
    const pkg = await openPackage(out);
    try {
      expect((await pkg.readPart('Registry.dat')).equals(emptyRegistryHive())).toBe(true);
    } finally {
      await pkg.close();
    }
  });

  it('a package layout whose Registry.dat is no registry hive is refused before anything is written (found by review)', async () => {
    for (const content of ['not a hive', '']) {
      const source = fresh('layout-hive');
      mkdirSync(path.join(source, 'Root', 'VFS', 'ProgramFilesX86', 'L'), { recursive: true });
      writeFileSync(path.join(source, 'Root', 'VFS', 'ProgramFilesX86', 'L', 'a.txt'), 'a');
      writeFileSync(path.join(source, 'Registry.dat'), content);
      const outDir = fresh('layout-hive-out');
      await expect(packPackage(source, path.join(outDir, 'h.appv'))).rejects.toMatchObject({
        code: ErrorCode.PACK_INPUT_INVALID,
        part: 'Registry.dat',
        message: expect.stringMatching(/Registry\.dat is no registry hive: it is \d+ bytes/),
      });
      expect(readdirSync(outDir)).toEqual([]);
    }
  });

  it('a package layout whose Root is spelled root/ is a layout, not a plain folder (found by review)', async () => {
    const source = fresh('layout-lower');
    mkdirSync(path.join(source, 'root', 'VFS', 'ProgramFilesX86', 'L'), { recursive: true });
    writeFileSync(path.join(source, 'root', 'VFS', 'ProgramFilesX86', 'L', 'a.txt'), 'a');
    const out = path.join(fresh('layout-lower-out'), 'lower.appv');
    const result = await packPackage(source, out, { dynamicConfig: false });
    expect(result.layout).toBe('package');
    const pkg = await openPackage(out);
    try {
      expect(pkg.items.map((i) => i.name).filter((n) => n.startsWith('Root\\'))).toEqual([
        'Root\\VFS\\ProgramFilesX86\\L\\a.txt',
      ]);
    } finally {
      await pkg.close();
    }
  });

  it('unreadable sources: a dangling link, a FIFO, a missing folder', async () => {
    const dangling = fresh('dangling');
    writeFileSync(path.join(dangling, 'fine.txt'), 'ok');
    symlinkSync(path.join(dangling, 'nowhere'), path.join(dangling, 'link.txt'));
    await expectNothingWritten(dangling, ErrorCode.PACK_SOURCE_UNREADABLE);
    const fifo = fresh('fifo');
    execFileSync('mkfifo', [path.join(fifo, 'pipe')]);
    await expectNothingWritten(fifo, ErrorCode.PACK_SOURCE_UNREADABLE);
    await expectNothingWritten(path.join(work, 'does-not-exist'), ErrorCode.PACK_SOURCE_UNREADABLE);
  });

  it('symbolic links: followed inside the folder, refused when they lead outside it (found by review)', async () => {
    const outside = fresh('outside');
    writeFileSync(path.join(outside, 'secret.txt'), 'not for the package');
    const toFile = fresh('link-out-file');
    writeFileSync(path.join(toFile, 'fine.txt'), 'ok');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(toFile, 'passwd'));
    await expectNothingWritten(toFile, ErrorCode.PACK_INPUT_INVALID);
    const toDir = fresh('link-out-dir');
    symlinkSync(outside, path.join(toDir, 'shared'));
    await expectNothingWritten(toDir, ErrorCode.PACK_INPUT_INVALID);

    const inside = fresh('link-in');
    mkdirSync(path.join(inside, 'lib'));
    writeFileSync(path.join(inside, 'lib', 'libfoo.so.1'), 'library');
    symlinkSync('libfoo.so.1', path.join(inside, 'lib', 'libfoo.so'));
    const out = path.join(fresh('link-in-out'), 'in.appv');
    const result = await packPackage(inside, out, { vfs: 'ProgramFilesX86/In' });
    expect(result.files).toBe(2);
    const pkg = await openPackage(out);
    try {
      const bytes = await pkg.readPart('Root/VFS/ProgramFilesX86/In/lib/libfoo.so');
      expect(bytes.toString()).toBe('library');
    } finally {
      await pkg.close();
    }
  });

  it('a link to a folder inside the folder is followed too; only a link into its own ancestry is a loop (found by review)', async () => {
    const inside = fresh('dir-link-in');
    mkdirSync(path.join(inside, 'v2', 'bin'), { recursive: true });
    writeFileSync(path.join(inside, 'v2', 'bin', 'tool.dll'), 'tool');
    symlinkSync('v2', path.join(inside, 'current'), 'dir');
    const out = path.join(fresh('dir-link-in-out'), 'in.appv');
    const result = await packPackage(inside, out, { vfs: 'ProgramFilesX86/In', dynamicConfig: false });
    expect(result.files).toBe(2);
    await verifyClean(out);
    const pkg = await openPackage(out);
    try {
      for (const folder of ['v2', 'current'])
        expect((await pkg.readPart(`Root/VFS/ProgramFilesX86/In/${folder}/bin/tool.dll`)).toString()).toBe(
          'tool',
        );
    } finally {
      await pkg.close();
    }
    const loop = fresh('dir-link-loop');
    mkdirSync(path.join(loop, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(loop, 'a', 'b', 'f.txt'), 'x');
    symlinkSync('..', path.join(loop, 'a', 'b', 'back'), 'dir');
    const loopOut = path.join(fresh('dir-link-loop-out'), 'loop.appv');
    await expect(packPackage(loop, loopOut, { vfs: 'ProgramFilesX86/L' })).rejects.toMatchObject({
      code: ErrorCode.PACK_INPUT_INVALID,
      message: expect.stringContaining('a symbolic link loop'),
    });
    expect(readdirSync(path.dirname(loopOut))).toEqual([]);
  });

  it('a feature block naming a file the package does not have, or blocks past its end', async () => {
    const source = fresh('feature');
    writeFileSync(path.join(source, 'app.exe'), pseudoText(70_000, 1));
    const outDir = fresh('feature-out');
    const out = path.join(outDir, 'f.appv');
    expect(await asyncCodeOf(packPackage(source, out, { publishing: ['missing.exe'] }))).toBe(
      ErrorCode.PACK_INPUT_INVALID,
    );
    expect(await asyncCodeOf(packPackage(source, out, { publishing: ['app.exe:0-5'] }))).toBe(
      ErrorCode.PACK_INPUT_INVALID,
    );
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('an output that cannot be written is refused before anything is written (found by review)', async () => {
    const source = fresh('target-src');
    writeFileSync(path.join(source, 'a.txt'), 'a');
    const outDir = fresh('target-out');
    // The output is a directory; its folder does not exist; a directory stands where a config file goes.
    // Before, the first two failed only at the final rename, the third after the package was in place.
    mkdirSync(path.join(outDir, 'taken.appv'));
    mkdirSync(path.join(outDir, 'app_UserConfig.xml'));
    const cases: [string, RegExp][] = [
      [path.join(outDir, 'taken.appv'), /it is a directory/],
      [path.join(outDir, 'missing', 'app.appv'), /the folder .*missing does not exist/],
      [path.join(outDir, 'app.appv'), /app_UserConfig\.xml: it is a directory/],
    ];
    for (const [out, message] of cases) {
      await expect(packPackage(source, out, { vfs: 'ProgramFilesX86/A' })).rejects.toMatchObject({
        code: ErrorCode.IO_WRITE_FAILED,
        message: expect.stringMatching(message),
      });
      expect(readdirSync(outDir).sort()).toEqual(['app_UserConfig.xml', 'taken.appv']);
    }
  });

  it('a package written into the folder it packs is not packed into the next run (found by review)', async () => {
    const source = fresh('self');
    writeFileSync(path.join(source, 'a.txt'), 'a');
    const out = path.join(source, 'self.appv');
    const first = await packPackage(source, out, { vfs: 'ProgramFilesX86/A' });
    const second = await packPackage(source, out, { vfs: 'ProgramFilesX86/A' });
    expect(first.files).toBe(1);
    expect(second.files).toBe(1);
    expect(readdirSync(source).sort()).toEqual([
      'a.txt',
      'self.appv',
      'self_DeploymentConfig.xml',
      'self_UserConfig.xml',
    ]);
  });

  it('--deterministic history: the new item takes the latest time, read as UTC without a zone, whatever TZ says (found by review)', async () => {
    const layout = await extractedLayout('tz');
    const historyFile = path.join(layout, 'PackageHistory.xml');
    // A time as another tool may write it: no zone, and milliseconds the writer rounds away.
    const zoneless = readFileSync(historyFile, 'utf8').replace(
      /Time="[^"]*"/,
      'Time="2030-05-06T07:08:09.900"',
    );
    writeFileSync(historyFile, zoneless);
    const cli = path.join(repoRoot, 'packages/appv/dist/cli/main.js');
    const packed = ['UTC', 'Asia/Tokyo', 'America/New_York'].map((tz) => {
      const out = path.join(work, `${counter++}-tz.appv`);
      execFileSync(process.execPath, [cli, 'pack', layout, '-o', out, '--deterministic', '--no-config'], {
        env: { ...process.env, TZ: tz },
      });
      return readFileSync(out);
    });
    expect(packed[1]?.equals(packed[0] as Buffer)).toBe(true);
    expect(packed[2]?.equals(packed[0] as Buffer)).toBe(true);
    const pkg = await openPackage(packed[0] as Buffer);
    try {
      const times = ((await pkg.packageHistory())?.items ?? []).map((item) => item.attributes.Time);
      expect(times).toEqual(['2030-05-06T07:08:09.900', '2030-05-06T07:08:10Z']);
    } finally {
      await pkg.close();
    }
  });

  it('warns when a kept manifest gets a new name or version but keeps its VersionId (found by review)', async () => {
    const layout = await extractedLayout('ids');
    const out = (name: string) => path.join(work, `${counter++}-${name}.appv`);
    const plain = await packPackage(layout, out('plain'), { dynamicConfig: false });
    expect(plain.warnings).toEqual([]);
    const bumped = await packPackage(layout, out('bumped'), { version: '2.0.0.0', dynamicConfig: false });
    expect(bumped.versionId).toBe(plain.versionId);
    expect(bumped.warnings).toEqual([
      expect.objectContaining({
        code: 'APPV_IDS_KEPT',
        severity: 'warning',
        part: 'AppxManifest.xml',
        message: expect.stringMatching(/version 0\.0\.0\.1 → 2\.0\.0\.0 with the kept manifest's VersionId/),
      }),
    ]);
    const given = await packPackage(layout, out('given'), {
      version: '2.0.0.0',
      versionId: '11111111-2222-3333-4444-555555555555',
      dynamicConfig: false,
    });
    expect(given.warnings).toEqual([]);
  });

  it.each([
    ['Ünïcode Tööl', 'Unicode.Tool'],
    ['ab', 'abApp'],
    ['My App (x64)', 'My.App.x64'],
  ])(
    'names the package after the folder %j: %s, accents dropped, not their letters (found by review)',
    async (folder, name) => {
      const source = path.join(fresh('named'), folder);
      mkdirSync(source);
      writeFileSync(path.join(source, 'a.txt'), 'a');
      const result = await packPackage(source, path.join(work, `${counter++}.appv`), {
        dynamicConfig: false,
      });
      expect(result.name).toBe(name);
    },
  );

  it('refuses to write over a file of the folder it packs that is no package (found by review: it was lost)', async () => {
    const source = fresh('self-file');
    writeFileSync(path.join(source, 'app.exe'), 'x');
    writeFileSync(path.join(source, 'notes.txt'), 'precious');
    const out = path.join(source, 'notes.txt');
    const packing = packPackage(source, out, { vfs: 'ProgramFilesX86/A', dynamicConfig: false });
    const error = await packing.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.PACK_INPUT_INVALID, file: out });
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(readdirSync(source).sort()).toEqual(['app.exe', 'notes.txt']);
    // A ZIP of the user's is no package from an earlier run either.
    const zip = path.join(source, 'data.zip');
    writeFileSync(zip, craftZip([{ name: 'mine.txt', data: Buffer.from('mine') }]).bytes);
    const before = readFileSync(zip);
    const again = await packPackage(source, zip, { vfs: 'ProgramFilesX86/A', dynamicConfig: false }).catch(
      (e: unknown) => e,
    );
    expect(again).toMatchObject({ code: ErrorCode.PACK_INPUT_INVALID, file: zip });
    expect(readFileSync(zip).equals(before)).toBe(true);
    // Nor is a plain AppX/MSIX, which has a manifest and a BlockMap too, nor a name that starts with "..".
    const msix = path.join(source, 'mine.msix');
    writeFileSync(msix, readFileSync(fixtureFiles('valid')[0]?.path as string));
    const dots = path.join(source, '..notes.txt');
    writeFileSync(dots, 'precious too');
    for (const target of [msix, dots]) {
      const kept = readFileSync(target);
      const refused = await packPackage(source, target, {
        vfs: 'ProgramFilesX86/A',
        dynamicConfig: false,
      }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: ErrorCode.PACK_INPUT_INVALID, file: target });
      expect(readFileSync(target).equals(kept)).toBe(true);
    }
  });

  it('nor is the temporary file a writer killed with SIGKILL left beside it; a look-alike name is packed (found by review)', async () => {
    const source = fresh('self-killed');
    writeFileSync(path.join(source, 'a.txt'), 'a');
    const out = path.join(source, 'self.appv');
    // What a writer killed mid-way leaves: temporaryPathFor's shape, any random part.
    writeFileSync(path.join(source, '.self.appv.appv-tmp-0a1b2c3d4e5f'), 'half a package');
    writeFileSync(path.join(source, '.self_UserConfig.xml.appv-tmp-00ff00ff00ff'), 'half a config');
    writeFileSync(path.join(source, '.self.appv.appv-tmp-not-ours'), 'a file of the user');
    const result = await packPackage(source, out, { vfs: 'ProgramFilesX86/A' });
    expect(result.files).toBe(2);
    const pkg = await openPackage(out);
    try {
      expect(pkg.items.map((i) => i.name).filter((n) => n.startsWith('Root\\'))).toEqual([
        'Root\\VFS\\ProgramFilesX86\\A\\.self.appv.appv-tmp-not-ours',
        'Root\\VFS\\ProgramFilesX86\\A\\a.txt',
      ]);
    } finally {
      await pkg.close();
    }
  });

  it('a re-pack that fails keeps the previous package and its configuration files (found by review)', async () => {
    const source = fresh('repack-src');
    writeFileSync(path.join(source, 'a.bin'), pseudoText(3_000_000, 4));
    const outDir = fresh('repack-out');
    const out = path.join(outDir, 'p.appv');
    const first = await packPackage(source, out, { vfs: 'ProgramFilesX86/A' });
    const before = readdirSync(outDir)
      .sort()
      .map((name) => [name, readFileSync(path.join(outDir, name))] as const);
    const controller = new AbortController();
    const again = packPackage(source, out, {
      vfs: 'ProgramFilesX86/A',
      signal: controller.signal,
      onProgress: (done, total) => {
        if (done >= total) controller.abort(); // late: after every byte of the payload is out
      },
    });
    expect(await asyncCodeOf(again)).toBe(ErrorCode.ABORTED);
    const after = readdirSync(outDir)
      .sort()
      .map((name) => [name, readFileSync(path.join(outDir, name))] as const);
    expect(after).toEqual(before);
    expect(readFileSync(path.join(outDir, 'p_DeploymentConfig.xml'), 'utf8')).toContain(first.packageId);
  });

  it('a configuration file that cannot be put in place leaves no temporary file (found by review)', async () => {
    const source = fresh('cfg-commit-src');
    writeFileSync(path.join(source, 'a.bin'), pseudoText(2_000_000, 5));
    const outDir = fresh('cfg-commit-out');
    const out = path.join(outDir, 'out.appv');
    let planted = false;
    const packing = packPackage(source, out, {
      vfs: 'ProgramFilesX86/A',
      overwrite: false,
      onProgress: () => {
        // Someone else's file appears where ours is about to go.
        if (!planted) writeFileSync(path.join(outDir, 'out_DeploymentConfig.xml'), 'theirs');
        planted = true;
      },
    });
    expect(await asyncCodeOf(packing)).toBe(ErrorCode.IO_TARGET_EXISTS);
    expect(readdirSync(outDir).filter((n) => n.includes('.appv-tmp-'))).toEqual([]);
    expect(readFileSync(path.join(outDir, 'out_DeploymentConfig.xml'), 'utf8')).toBe('theirs');
  });

  it('the package written into the folder it packs is left out also when -o reaches it by a link', async () => {
    const source = fresh('self-link');
    writeFileSync(path.join(source, 'a.txt'), 'a');
    const link = path.join(work, `${counter++}-link`);
    symlinkSync(source, link);
    const out = path.join(link, 'self.appv');
    await packPackage(source, out, { vfs: 'ProgramFilesX86/A' });
    expect((await packPackage(source, out, { vfs: 'ProgramFilesX86/A' })).files).toBe(1);
  });

  it('never leaves a package under its final name when writing fails half-way', async () => {
    const source = fresh('half');
    writeFileSync(path.join(source, 'a.bin'), pseudoText(3_000_000, 1));
    const outDir = fresh('half-out');
    const out = path.join(outDir, 'half.appv');
    const controller = new AbortController();
    const packing = packPackage(source, out, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done > 0) controller.abort();
      },
    });
    expect(await asyncCodeOf(packing)).toBe(ErrorCode.ABORTED);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(outDir)).toEqual([]);
    expect(statSync(source).isDirectory()).toBe(true);
  });
});

describe('packPackage: identity options the manifest cannot take', () => {
  it.each([
    ['name', { name: 'a b' }, /^packPackage: name: package name "a b" is invalid/],
    ['displayName', { displayName: '' }, /^packPackage: displayName: display name "" must be/],
    ['version', { version: '1.0' }, /^packPackage: version: package version "1\.0" is invalid/],
    ['publisher', { publisher: 'Vendor' }, /^packPackage: publisher: publisher "Vendor" is not/],
    ['packageId', { packageId: '{1234}' }, /^packPackage: packageId: PackageId "\{1234\}" is not a GUID/],
    ['versionId', { versionId: 'x' }, /^packPackage: versionId: VersionId "x" is not a GUID/],
  ])(
    '%s: USAGE naming the option, before the source is read, nothing written',
    async (_key, options, message) => {
      const out = fresh('bad-identity');
      // A source that does not exist: the option is refused first, so the error is about the option.
      const error = await packPackage(
        path.join(out, 'no-such-source'),
        path.join(out, 'x.appv'),
        options,
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.USAGE, message: expect.stringMatching(message) });
      expect(readdirSync(out)).toEqual([]);
    },
  );
});
