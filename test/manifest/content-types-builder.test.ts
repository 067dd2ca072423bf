import {
  APPV_FILE_CONTENT_TYPE,
  APPX_BLOCKMAP_CONTENT_TYPE,
  APPX_MANIFEST_CONTENT_TYPE,
  buildAppvContentTypes,
} from '@appv/manifest';
import {
  encodePartName,
  FindingList,
  parseContentTypes,
  resolveContentType,
  serializeContentTypes,
} from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const MANIFEST = 'application/vnd.ms-appx.manifest+xml';
const BLOCKMAP = 'application/vnd.ms-appx.blockmap+xml';
const VFS_FILE = 'appv/vfs-file';

/** What every item must resolve to, written here from the rules (FORMAT.md §1). */
function expectedType(itemName: string): string {
  if (itemName.toLowerCase() === 'appxmanifest.xml') return MANIFEST;
  if (itemName.toLowerCase() === 'appxblockmap.xml') return BLOCKMAP;
  return VFS_FILE;
}

function written(itemNames: readonly string[]) {
  const bytes = serializeContentTypes(buildAppvContentTypes(itemNames));
  const sink = new FindingList(100);
  const types = parseContentTypes(bytes, sink);
  expect(sink.findings).toEqual([]);
  return { bytes, types };
}

const PACKAGE = [
  'Root/VFS/ProgramFilesX86/Vendor%20App/app.exe',
  'Root/VFS/ProgramFilesX86/Vendor%20App/lib.DLL',
  'Root/VFS/ProgramFilesX86/Vendor%20App/other.dll',
  'Root/VFS/ProgramFilesX86/Vendor%20App/data.Dll',
  'Root/VFS/Windows/hosts',
  'Root/VFS/Windows/dir.d/README',
  'Root/a%20b.%7Bx%7D',
  'Root/c.%7bX%7d',
  'Root/.gitignore',
  'Registry.dat',
  'StreamMap.xml',
  'FilesystemMetadata.xml',
  'PackageHistory.xml',
  'AppxManifest.xml',
  'AppxBlockMap.xml',
];

describe('buildAppvContentTypes (FORMAT.md §1, §9.4)', () => {
  it('exports the content types it uses', () => {
    expect([APPV_FILE_CONTENT_TYPE, APPX_MANIFEST_CONTENT_TYPE, APPX_BLOCKMAP_CONTENT_TYPE]).toEqual([
      VFS_FILE,
      MANIFEST,
      BLOCKMAP,
    ]);
  });

  it('declares one Default per extension, footprint Overrides first, then extension-less parts', () => {
    expect(buildAppvContentTypes(PACKAGE)).toEqual({
      defaults: [
        { extension: 'dat', contentType: VFS_FILE },
        { extension: 'DLL', contentType: VFS_FILE }, // first spelling of dll/DLL/Dll in input order
        { extension: 'exe', contentType: VFS_FILE },
        { extension: 'gitignore', contentType: VFS_FILE },
        { extension: 'xml', contentType: VFS_FILE },
        { extension: '%7Bx%7D', contentType: VFS_FILE }, // "%" sorts before letters
      ].sort((a, b) => (a.extension.toLowerCase() < b.extension.toLowerCase() ? -1 : 1)),
      overrides: [
        { partName: '/AppxManifest.xml', contentType: MANIFEST },
        { partName: '/AppxBlockMap.xml', contentType: BLOCKMAP },
        { partName: '/Root/VFS/Windows/dir.d/README', contentType: VFS_FILE },
        { partName: '/Root/VFS/Windows/hosts', contentType: VFS_FILE },
      ],
    });
  });

  it('every part resolves to its type after serialize → parse', () => {
    const { types } = written(PACKAGE);
    for (const name of PACKAGE)
      expect([name, resolveContentType(types, name)]).toEqual([name, expectedType(name)]);
  });

  it('upper/lower-case variants of an extension and of the footprint names resolve too', () => {
    const { types } = written(PACKAGE);
    for (const name of ['Root/x.EXE', 'Root/x.Exe', 'Root/y.xML', 'Root/z.%7BX%7D', 'Root/z.%7bx%7d'])
      expect(resolveContentType(types, name)).toBe(VFS_FILE);
    expect(resolveContentType(types, 'appxmanifest.XML')).toBe(MANIFEST);
    expect(resolveContentType(types, 'APPXBLOCKMAP.xml')).toBe(BLOCKMAP);
    // An extension nobody declared stays untyped: the Defaults are not a catch-all.
    expect(resolveContentType(types, 'Root/unknown.zzz')).toBeUndefined();
  });

  it('names ending in a dot, and extension-less names, get Overrides', () => {
    const names = ['Root/x.', 'Root/VFS/Windows/hosts', 'Root/VFS/Windows/HOSTS2'];
    const { overrides, defaults } = buildAppvContentTypes(names);
    expect(defaults).toEqual([]);
    expect(overrides.map((o) => o.partName)).toEqual([
      '/AppxManifest.xml',
      '/AppxBlockMap.xml',
      '/Root/VFS/Windows/HOSTS2',
      '/Root/VFS/Windows/hosts',
      '/Root/x.',
    ]);
  });

  it('skips [Content_Types].xml, and names one part once whatever its case', () => {
    const { overrides } = buildAppvContentTypes([
      '[Content_Types].xml',
      'Root/hosts',
      'Root/HOSTS',
      'appxmanifest.xml',
    ]);
    expect(overrides.map((o) => o.partName)).toEqual([
      '/AppxManifest.xml',
      '/AppxBlockMap.xml',
      '/Root/hosts',
    ]);
  });

  it('always declares the two footprint parts, even for an empty list', () => {
    const { types } = written([]);
    expect(types.defaults).toEqual([]);
    expect(types.overrides.map((o) => o.partName)).toEqual(['/AppxManifest.xml', '/AppxBlockMap.xml']);
  });

  describe('properties', () => {
    const segment = fc
      .stringMatching(/^[A-Za-z0-9 é{}%#+._-]{1,10}$/)
      .filter((s) => !s.endsWith('.') && s !== '..');
    const itemName = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map((segments) => encodePartName(segments.join('\\')));
    const names = fc.uniqueArray(itemName, { selector: (n) => n.toLowerCase(), maxLength: 30 });

    it('every generated part resolves to its expected type; the document round-trips', () => {
      fc.assert(
        fc.property(names, (items) => {
          const all = [...items, 'AppxManifest.xml', 'AppxBlockMap.xml'];
          const { bytes, types } = written(all);
          for (const name of all) expect(resolveContentType(types, name)).toBe(expectedType(name));
          expect(serializeContentTypes(types).equals(bytes)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it('the output does not depend on input order when each extension has one spelling', () => {
      const lowerExtension = names.map((items) =>
        items.map((n) => n.replace(/\.[^./]*$/, (e) => e.toLowerCase())),
      );
      fc.assert(
        fc.property(
          lowerExtension.chain((items) =>
            fc.tuple(
              fc.constant(items),
              fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
            ),
          ),
          ([items, shuffled]) => {
            expect(buildAppvContentTypes(shuffled)).toEqual(buildAppvContentTypes(items));
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
