import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AppvPackage, ErrorCode, listParts, openPackage, packageInfo } from 'appv';
import { afterAll, describe, expect, it } from 'vitest';
import { type AppvPackageSpec, buildAppvPackage } from '../helpers/appv-builder.js';
import { pythonList } from '../helpers/external.js';
import { fixtureFiles, repoRoot } from '../helpers/fixtures.js';
import { SAMPLE_PACKAGE_ID, SAMPLE_VERSION_ID, sampleSpec } from '../helpers/make-sample.js';

const SAMPLE = path.join(repoRoot, 'examples/sample/VendorApp.appv');
const work = mkdtempSync(path.join(tmpdir(), 'appv-info-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Feature block figures computed independently: Python's zipfile and ElementTree read StreamMap.xml and
 * AppxBlockMap.xml and apply FORMAT.md §3/§4 (a `File` without `Blocks` = every block; a block's download is
 * its `Size`, or its slice length when stored).
 */
const PY_FEATURE_BLOCKS = `
import json, sys, zipfile, xml.etree.ElementTree as ET
B = 65536
z = zipfile.ZipFile(sys.argv[1])
bm = ET.fromstring(z.read('AppxBlockMap.xml'))
files = {}
for f in bm:
    files[f.get('Name').lower()] = (int(f.get('Size')), [b.get('Size') for b in f])
out = []
for fb in ET.fromstring(z.read('StreamMap.xml')):
    blocks = unc = comp = 0
    for f in fb:
        size, sizes = files[f.get('Name').lower()]
        n = (size + B - 1) // B
        runs = [(int(r.get('Index')), int(r.get('Count'))) for r in f] or [(0, n)]
        idx = sorted({i for s, c in runs for i in range(s, min(n, s + c))})
        for i in idx:
            length = min(B, size - i * B)
            blocks += 1; unc += length
            comp += int(sizes[i]) if sizes[i] is not None else length
    out.append(dict(id=fb.get('Id'), loadAll=fb.get('LoadAll') == 'true', files=len(fb), blocks=blocks,
                    uncompressedBytes=unc, compressedBytes=comp))
print(json.dumps(out))
`;

async function withOpen<T>(input: string | Buffer, fn: (pkg: AppvPackage) => Promise<T>): Promise<T> {
  const pkg = await openPackage(input);
  try {
    return await fn(pkg);
  } finally {
    await pkg.close();
  }
}

function buildFile(name: string, spec: AppvPackageSpec): string {
  const file = path.join(work, name);
  writeFileSync(file, buildAppvPackage(spec).bytes);
  return file;
}

describe('packageInfo', () => {
  it('describes the sample App-V package', async () => {
    const info = await withOpen(SAMPLE, packageInfo);
    expect(info).toMatchObject({
      name: 'Reserved',
      publisher: 'CN=Reserved',
      version: '0.0.0.1',
      packageId: SAMPLE_PACKAGE_ID,
      versionId: SAMPLE_VERSION_ID,
      appvSchemaVersion: '2010',
      displayName: 'Vendor App',
      loadAll: false,
      problems: [],
    });
    expect(info.applications).toEqual([
      {
        id: '[{ProgramFilesX86}]\\Vendor App\\app.exe',
        name: 'Vendor App',
        target: '[{ProgramFilesX86}]\\Vendor App\\app.exe',
        version: '1.2.3.4',
      },
    ]);
    const expected = JSON.parse(
      execFileSync('python3', ['-c', PY_FEATURE_BLOCKS, SAMPLE], { encoding: 'utf8' }),
    );
    expect(info.featureBlocks).toEqual(expected);
    expect(info.featureBlocks.map((b) => b.id).sort()).toEqual([
      'PrimaryFeatureBlock',
      'PublishingFeatureBlock',
    ]);

    const items = pythonList(SAMPLE);
    expect(info.partCount).toBe(items.length - 1);
    const size = items.reduce((sum, i) => sum + i.size, 0);
    const compressed = items.reduce((sum, i) => sum + i.compressedSize, 0);
    expect(info.uncompressedBytes).toBe(size);
    expect(info.compressedBytes).toBe(compressed);
    expect(info.compressionRatio).toBeCloseTo(compressed / size, 10);
  });

  it('reports LoadAll and counts run-limited files correctly', async () => {
    const spec = sampleSpec();
    spec.streamMap = {
      publishing: [
        {
          name: 'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe',
          blocks: [
            [1, 2],
            [2, 10],
          ],
        },
      ],
      primary: [{ name: 'Root\\VFS\\ProgramFilesX86\\Vendor App\\logo.png' }],
      primaryLoadAll: true,
    };
    const file = buildFile('loadall.appv', spec);
    const info = await withOpen(file, packageInfo);
    expect(info.loadAll).toBe(true);
    expect(info.featureBlocks).toEqual(
      JSON.parse(execFileSync('python3', ['-c', PY_FEATURE_BLOCKS, file], { encoding: 'utf8' })),
    );
    const publishing = info.featureBlocks.find((b) => b.id === 'PublishingFeatureBlock');
    // Runs [1,2] and [2,10] overlap and overrun: blocks 1..4 of a 5-block file.
    expect(publishing?.blocks).toBe(4);
    // The primary block is one stored file: its download is its size.
    const primary = info.featureBlocks.find((b) => b.id === 'PrimaryFeatureBlock');
    expect(primary?.compressedBytes).toBe(20_000);
  });

  it('has no compressed block sizes without a BlockMap, but still counts blocks', async () => {
    const spec = sampleSpec();
    spec.tamper = { entries: (entries) => entries.filter((e) => e.name !== 'AppxBlockMap.xml') };
    const info = await withOpen(buildAppvPackage(spec).bytes, packageInfo);
    expect(info.featureBlocks.length).toBe(2);
    for (const block of info.featureBlocks) {
      expect(block.compressedBytes).toBeNull();
      expect(block.blocks).toBeGreaterThan(0);
    }
    expect(info.problems.map((p) => p.code)).toEqual([ErrorCode.BLOCKMAP_MISSING]);
  });

  it('a StreamMap file the BlockMap says is 2^53 - 1 bytes is counted, not listed block by block (found by review)', async () => {
    const spec = sampleSpec();
    const ghost = 'Root\\ghost.bin';
    spec.streamMap = { ...spec.streamMap, primary: [{ name: ghost }] };
    spec.tamper = {
      blockMap: (files) => [
        ...files,
        { name: ghost, size: Number.MAX_SAFE_INTEGER, lfhSize: 44, blocks: [] },
      ],
    };
    const info = await withOpen(buildAppvPackage(spec).bytes, packageInfo);
    const primary = info.featureBlocks.find((b) => b.id === 'PrimaryFeatureBlock');
    expect(primary?.blocks).toBe(Math.ceil(Number.MAX_SAFE_INTEGER / 65_536));
    expect(primary?.uncompressedBytes).toBe(Number.MAX_SAFE_INTEGER);
    expect(primary?.compressedBytes).toBeNull(); // no item: no method, no sizes
  });

  it('reports an unreadable StreamMap as a problem instead of failing', async () => {
    const spec = sampleSpec();
    spec.parts = { 'StreamMap.xml': '<StreamMap' };
    const info = await withOpen(buildAppvPackage(spec).bytes, packageInfo);
    expect(info.featureBlocks).toEqual([]);
    expect(info.problems.map((p) => p.part)).toEqual(['StreamMap.xml']);
  });

  it('throws APPV_PART_MISSING without a manifest', async () => {
    const spec = sampleSpec();
    spec.parts = { 'AppxManifest.xml': null };
    const error = await withOpen(buildAppvPackage(spec).bytes, packageInfo).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.APPV_PART_MISSING });
  });

  it.each(fixtureFiles('valid'))('works on the plain AppX/MSIX package $name', async ({ path: file }) => {
    const { info, hasStreamMap } = await withOpen(file, async (pkg) => ({
      info: await packageInfo(pkg),
      hasStreamMap: pkg.has('StreamMap.xml'),
    }));
    expect(info.packageId).toBeNull();
    expect(info.versionId).toBeNull();
    expect(info.appvSchemaVersion).toBeNull();
    // NotepadPlusPlus.appx is an App-V conversion that kept a StreamMap naming a file it no longer has.
    if (!hasStreamMap) expect(info.featureBlocks).toEqual([]);
    expect(info.loadAll).toBe(false);
    expect(info.problems).toEqual([]);
    expect(info.name.length).toBeGreaterThan(0);
    expect(info.partCount).toBe(pythonList(file).length - 1);
  });
});

describe('listParts', () => {
  it.each([...fixtureFiles('valid'), { name: 'VendorApp.appv', path: SAMPLE }])(
    'agrees with Python zipfile on $name',
    async ({ path: file }) => {
      const rows = await withOpen(file, async (pkg) => listParts(pkg));
      const items = pythonList(file);
      expect(rows.map((r) => r.zipName)).toEqual(items.map((i) => i.name));
      rows.forEach((row, index) => {
        const item = items[index];
        expect(row.size).toBe(item?.size);
        expect(row.compressedSize).toBe(item?.compressedSize);
        expect(row.crc32).toBe(item?.crc);
        expect(row.method).toBe(item?.method === 8 ? 'deflate' : 'stored');
        expect(row.blocks).toBe(Math.ceil(row.size / 65_536));
      });
      expect(rows.find((r) => r.zipName === '[Content_Types].xml')?.contentType).toBeNull();
      expect(rows.find((r) => r.name === 'AppxManifest.xml')?.contentType).toMatch(/manifest/);
    },
  );

  it('decodes names once (HelloWorld: %255B in the ZIP, %5B decoded)', async () => {
    const file = fixtureFiles('valid').find((f) => f.name === 'HelloWorld.appx')?.path ?? '';
    const rows = await withOpen(file, async (pkg) => listParts(pkg));
    const row = rows.find((r) => r.zipName === 'loader%255B1%255D.js');
    expect(row?.name).toBe('loader%5B1%5D.js');
  });
});
