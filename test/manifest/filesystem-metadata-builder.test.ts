import {
  buildFilesystemMetadata,
  type FilesystemEntry,
  type FilesystemMetadata,
  type FilesystemMetadataInput,
  flattenPaths,
  generateFilesystemMetadata,
  parseFilesystemMetadata,
  serializeFilesystemMetadata,
} from '@appv/manifest';
import { ErrorCode, nameKey } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';

const withoutDocument = ({ document: _document, ...rest }: FilesystemMetadata) => rest;
const VALID_SHORT = /^[A-Z0-9!#$%&'()\-@^_`{}~]{1,8}(?:\.[A-Z0-9!#$%&'()\-@^_`{}~]{1,3})?$/;

/** Every directory above a backslash path (`Root\a\b` → `Root`, `Root\a`). */
function ancestors(path: string): string[] {
  const segments = path.split('\\');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('\\'));
}

/** What the tree must name, case-insensitively: the files, the listed directories, and everything above. */
function expectedPaths(input: FilesystemMetadataInput): Set<string> {
  const listed = [...input.files, ...(input.emptyDirectories ?? []), ...(input.opaqueDirectories ?? [])];
  return new Set(['Root', ...listed.flatMap((p) => [p, ...ancestors(p)])].map(nameKey));
}

/** Walks the tree: short names valid and unique per directory, Root without one. */
function checkShortNames(entries: readonly FilesystemEntry[], top = true): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    if (top) {
      expect(entry.long).toBe('Root');
      expect(entry.short).toBeUndefined();
    } else {
      expect(entry.short).toMatch(VALID_SHORT);
      expect(seen.has(entry.short ?? '')).toBe(false);
      seen.add(entry.short ?? '');
    }
    checkShortNames(entry.children, false);
  }
}

/** Leaf directories: entries without children that are not files. */
function leafDirectories(metadata: FilesystemMetadata, files: readonly string[]): string[] {
  const fileKeys = new Set(files.map(nameKey));
  const out: string[] = [];
  const walk = (entries: readonly FilesystemEntry[], prefix: string) => {
    for (const e of entries) {
      const path = prefix === '' ? e.long : `${prefix}\\${e.long}`;
      if (e.children.length === 0 && !fileKeys.has(nameKey(path)) && path !== 'Root') out.push(path);
      walk(e.children, path);
    }
  };
  walk(metadata.entries, '');
  return out;
}

function roundTrip(metadata: FilesystemMetadata): { bytes: Buffer; parsed: FilesystemMetadata } {
  const bytes = serializeFilesystemMetadata(metadata);
  return { bytes, parsed: parseFilesystemMetadata(bytes) };
}

describe('generateFilesystemMetadata (FORMAT.md §5)', () => {
  const sample: FilesystemMetadataInput = {
    files: [
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe',
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\Vendor Library.dll',
      'Root\\VFS\\Windows\\hosts',
    ],
    emptyDirectories: ['Root\\VFS\\AppData\\Vendor'],
    opaqueDirectories: ['Root\\VFS\\Common AppData\\Vendor'],
  };

  it('builds the long/short tree, the flat lists and the package root of the FORMAT.md example', () => {
    const m = generateFilesystemMetadata(sample);
    expect(m.root).toBe('C:\\Program Files (x86)\\Vendor App');
    expect(m.shortRoot).toBe('C:\\PROGRA~2\\VENDOR~1');
    const vfs = m.entries[0]?.children[0];
    expect(vfs?.long).toBe('VFS');
    expect(vfs?.short).toBe('VFS');
    // Sorted by upper-cased long name: APPDATA < COMMON APPDATA < PROGRAMFILESX86 < WINDOWS.
    expect(vfs?.children.map((c) => [c.long, c.short])).toEqual([
      ['AppData', 'APPDATA'],
      ['Common AppData', 'COMMON~1'],
      ['ProgramFilesX86', 'PROGRA~1'],
      ['Windows', 'WINDOWS'],
    ]);
    expect(vfs?.children[2]?.children[0]?.children.map((c) => [c.long, c.short])).toEqual([
      ['app.exe', 'APP.EXE'],
      ['Vendor Library.dll', 'VENDOR~1.DLL'],
    ]);
    // The opaque directory holds nothing, so it is an empty directory of the package too.
    expect(m.emptyDirectories).toEqual([
      { long: 'Root\\VFS\\AppData\\Vendor', short: 'Root\\VFS\\APPDATA\\VENDOR' },
      { long: 'Root\\VFS\\Common AppData\\Vendor', short: 'Root\\VFS\\COMMON~1\\VENDOR' },
    ]);
    expect(m.opaqueDirectories).toEqual([
      { long: 'Root\\VFS\\Common AppData\\Vendor', short: 'Root\\VFS\\COMMON~1\\VENDOR' },
    ]);
  });

  it('serialize → parse → flattenPaths names exactly every file and directory', () => {
    const { parsed } = roundTrip(generateFilesystemMetadata(sample));
    expect(new Set(flattenPaths(parsed).map(nameKey))).toEqual(expectedPaths(sample));
    expect(flattenPaths(parsed)).toEqual([
      'Root',
      'Root\\VFS',
      'Root\\VFS\\AppData',
      'Root\\VFS\\AppData\\Vendor',
      'Root\\VFS\\Common AppData',
      'Root\\VFS\\Common AppData\\Vendor',
      'Root\\VFS\\ProgramFilesX86',
      'Root\\VFS\\ProgramFilesX86\\Vendor App',
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe',
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\Vendor Library.dll',
      'Root\\VFS\\Windows',
      'Root\\VFS\\Windows\\hosts',
    ]);
  });

  it('writes the Windows-style document', () => {
    const text = serializeFilesystemMetadata(
      generateFilesystemMetadata({ files: ['Root\\a b.txt'] }),
    ).toString();
    expect(text).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n' +
        '<Metadata xmlns="http://schemas.microsoft.com/appv/2010/FilesystemMetadata"><Filesystem>' +
        '<Entry Long="Root"><Entry Long="a b.txt" Short="AB~1.TXT"/></Entry>' +
        '</Filesystem><EmptyDirectories/><OpaqueDirectories/></Metadata>',
    );
  });

  it('assigns short names in upper-cased ordinal order, unique per directory', () => {
    const m = generateFilesystemMetadata({
      files: ['Root\\Program Files (x86)\\b', 'Root\\program files\\a', 'Root\\Program Files Extra\\c'],
    });
    // "PROGRAM FILES" is a prefix of the others; then "(" (0x28) sorts before "E" (0x45).
    expect(m.entries[0]?.children.map((c) => [c.long, c.short])).toEqual([
      ['program files', 'PROGRA~1'],
      ['Program Files (x86)', 'PROGRA~2'],
      ['Program Files Extra', 'PROGRA~3'],
    ]);
    checkShortNames(m.entries);
  });

  it('merges directories that differ only in case, keeping the first spelling in sorted order', () => {
    const a = generateFilesystemMetadata({ files: ['Root\\a\\y', 'Root\\A\\x'] });
    const b = generateFilesystemMetadata({ files: ['Root\\A\\x', 'Root\\a\\y'] });
    expect(withoutDocument(a)).toEqual(withoutDocument(b));
    // Sorted: ROOT\A\X (spelled Root\A\x) before ROOT\A\Y, so the directory is "A".
    expect(flattenPaths(a)).toEqual(['Root', 'Root\\A', 'Root\\A\\x', 'Root\\A\\y']);
    // With equal upper-case paths, the exact form decides: "Root\\D\\e" < "Root\\d\\E".
    const c = generateFilesystemMetadata({ files: [], emptyDirectories: ['Root\\d\\E', 'Root\\D\\e'] });
    expect(flattenPaths(c)).toEqual(['Root', 'Root\\D', 'Root\\D\\e']);
    expect(c.emptyDirectories).toEqual([{ long: 'Root\\D\\e', short: 'Root\\D\\E' }]);
  });

  it('accepts any case of the Root segment and writes Root', () => {
    const m = generateFilesystemMetadata({ files: ['ROOT\\x.txt', 'root\\y.txt'] });
    expect(flattenPaths(m)).toEqual(['Root', 'Root\\x.txt', 'Root\\y.txt']);
  });

  it('names a file given twice once', () => {
    const m = generateFilesystemMetadata({ files: ['Root\\a\\f', 'Root\\a\\f'] });
    expect(flattenPaths(m)).toEqual(['Root', 'Root\\a', 'Root\\a\\f']);
  });

  it('an empty input is the bare Root', () => {
    const m = generateFilesystemMetadata({ files: [] });
    expect(withoutDocument(m)).toEqual(
      withoutDocument(
        buildFilesystemMetadata({
          entries: [{ long: 'Root', children: [] }],
          emptyDirectories: [],
          opaqueDirectories: [],
        }),
      ),
    );
  });

  it('an empty directory with empty directories below is listed as given, the leaves too', () => {
    const m = generateFilesystemMetadata({
      files: [],
      emptyDirectories: ['Root\\E'],
      opaqueDirectories: ['Root\\E\\O'],
    });
    expect(m.emptyDirectories.map((d) => d.long)).toEqual(['Root\\E', 'Root\\E\\O']);
    expect(m.opaqueDirectories.map((d) => d.long)).toEqual(['Root\\E\\O']);
  });

  it('an opaque directory holding files is not an empty one', () => {
    const m = generateFilesystemMetadata({ files: ['Root\\O\\f'], opaqueDirectories: ['Root\\o'] });
    expect(m.emptyDirectories).toEqual([]);
    // ROOT\O sorts before ROOT\O\F, so the opaque listing spells the directory.
    expect(m.opaqueDirectories).toEqual([{ long: 'Root\\o', short: 'Root\\O' }]);
    expect(flattenPaths(m)).toEqual(['Root', 'Root\\o', 'Root\\o\\f']);
  });

  describe('package root', () => {
    it('uses the given root, deriving the short form per segment when absent', () => {
      const given = generateFilesystemMetadata({
        files: ['Root\\a'],
        packageRoot: { long: 'C:\\Program Files\\Vendor App', short: 'C:\\X' },
      });
      expect([given.root, given.shortRoot]).toEqual(['C:\\Program Files\\Vendor App', 'C:\\X']);
      const derived = generateFilesystemMetadata({
        files: ['Root\\a'],
        packageRoot: { long: 'C:\\Program Files\\Vendor App\\bin' },
      });
      expect(derived.shortRoot).toBe('C:\\PROGRA~1\\VENDOR~1\\BIN');
      const other = generateFilesystemMetadata({ files: [], packageRoot: { long: 'D:\\Apps\\Some Tool+' } });
      expect(other.shortRoot).toBe('D:\\APPS\\SOMETO~1');
    });

    it('derives C:\\Program Files\\<dir> from the single ProgramFilesX64 folder', () => {
      const m = generateFilesystemMetadata({
        files: ['Root\\VFS\\ProgramFilesX64\\Tool\\t.exe', 'Root\\VFS\\Windows\\w'],
      });
      expect([m.root, m.shortRoot]).toEqual(['C:\\Program Files\\Tool', 'C:\\PROGRA~1\\TOOL']);
    });

    it('counts an empty folder as a folder, and a file directly under the token as none', () => {
      const m = generateFilesystemMetadata({
        files: ['Root\\VFS\\ProgramFilesX86\\readme.txt'],
        emptyDirectories: ['Root\\VFS\\programfilesx86\\Only'],
      });
      expect(m.root).toBe('C:\\Program Files (x86)\\Only');
    });

    it('leaves the root out when there is no such folder or more than one', () => {
      for (const files of [
        ['Root\\VFS\\Windows\\w'],
        ['Root\\VFS\\ProgramFilesX86\\A\\a', 'Root\\VFS\\ProgramFilesX86\\B\\b'],
        ['Root\\VFS\\ProgramFilesX86\\A\\a', 'Root\\VFS\\ProgramFilesX64\\B\\b'],
        ['Root\\ProgramFilesX86\\A\\a'],
      ]) {
        const m = generateFilesystemMetadata({ files });
        expect(m).not.toHaveProperty('root');
        expect(m).not.toHaveProperty('shortRoot');
      }
    });
  });

  describe('refuses (APPV_FSMETA_INVALID)', () => {
    it.each<[string, FilesystemMetadataInput]>([
      ['a path not under Root', { files: ['VFS\\x'] }],
      ['Root itself as a file', { files: ['Root'] }],
      ['Root itself as an empty directory', { files: [], emptyDirectories: ['Root'] }],
      ['a ZIP-form path', { files: ['Root/a.txt'] }],
      ['a trailing separator', { files: ['Root\\a\\'] }],
      ['an empty segment', { files: ['Root\\\\a'] }],
      ['a ".." segment', { files: ['Root\\a\\..\\b'] }],
      ['a "." segment', { opaqueDirectories: ['Root\\.\\b'], files: [] }],
      ['a path that is a file and a directory', { files: ['Root\\a', 'Root\\A\\b'] }],
      ['a file listed as an empty directory', { files: ['Root\\a'], emptyDirectories: ['Root\\A'] }],
      ['a file listed as an opaque directory', { files: ['Root\\a\\f'], opaqueDirectories: ['Root\\a\\F'] }],
      ['files that differ only in case', { files: ['Root\\d\\File.txt', 'Root\\D\\file.txt'] }],
      ['an empty directory that holds a file', { files: ['Root\\a\\b\\f'], emptyDirectories: ['Root\\A'] }],
      ['a path nested too deep', { files: [`Root${'\\d'.repeat(1024)}`] }],
    ])('%s', (_what, input) => {
      expect(codeOf(() => generateFilesystemMetadata(input))).toBe(ErrorCode.APPV_FSMETA_INVALID);
    });

    it('in any input order', () => {
      expect(codeOf(() => generateFilesystemMetadata({ files: ['Root\\A\\b', 'Root\\a'] }))).toBe(
        ErrorCode.APPV_FSMETA_INVALID,
      );
    });

    it('but accepts a path exactly MAX_PATH_DEPTH levels deep (Root included)', () => {
      const deep = `Root${'\\d'.repeat(1023)}`;
      const { parsed } = roundTrip(generateFilesystemMetadata({ files: [deep] }));
      expect(flattenPaths(parsed)).toHaveLength(1024);
    });
  });

  describe('properties', () => {
    // Directory and file names chosen to collide: case variants, shared 6-character prefixes, characters a
    // short name cannot hold. File names end in ".dat" and directory names never do, and no two file names
    // differ only in case, so every generated set is a valid payload.
    const directory = fc.constantFrom(
      'a',
      'A',
      'Vendor App',
      'VENDOR APP',
      'Vendor Apps',
      'Program Files',
      'Program Files (x86)',
      'Common AppData',
      'Résumé',
      'résumé',
      'a+b',
      'x y z',
      'longdirectoryname1',
      'longdirectoryname2',
      'LongDirectoryName3',
      'VFS',
    );
    const fileName = fc
      .constantFrom(
        'readme',
        'app',
        'Application Data',
        'a+b',
        '.hidden',
        'Résumé',
        'longfilename1',
        'longfilename2',
        '中文',
      )
      .map((n) => `${n}.dat`);
    const path = (leaf: fc.Arbitrary<string>) =>
      fc
        .tuple(fc.array(directory, { minLength: 0, maxLength: 3 }), leaf)
        .map(([dirs, last]) => ['Root', ...dirs, last].join('\\'));
    const input: fc.Arbitrary<FilesystemMetadataInput> = fc
      .record({
        files: fc.array(path(fileName), { maxLength: 25 }),
        emptyDirectories: fc.array(path(directory), { maxLength: 5 }),
        opaqueDirectories: fc.array(path(directory), { maxLength: 5 }),
      })
      .map(({ files, emptyDirectories, opaqueDirectories }) => {
        // An "empty" directory must not hold a file.
        const holding = new Set(files.flatMap(ancestors).map(nameKey));
        return {
          files,
          emptyDirectories: emptyDirectories.filter((d) => !holding.has(nameKey(d))),
          opaqueDirectories,
        };
      });
    const permutation = <T>(items: readonly T[]) =>
      fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });

    it('the parsed tree names exactly the payload; short names valid and unique; leaves listed empty', () => {
      fc.assert(
        fc.property(input, (given) => {
          const m = generateFilesystemMetadata(given);
          const { parsed } = roundTrip(m);
          expect(new Set(flattenPaths(parsed).map(nameKey))).toEqual(expectedPaths(given));
          checkShortNames(parsed.entries);
          const empty = new Set(parsed.emptyDirectories.map((d) => nameKey(d.long)));
          for (const leaf of leafDirectories(parsed, given.files))
            expect(empty.has(nameKey(leaf))).toBe(true);
          // Every flat entry's short path is the one the tree spells.
          for (const d of [...parsed.emptyDirectories, ...parsed.opaqueDirectories]) {
            expect(d.short).toBe(shortPathInTree(parsed, d.long));
          }
        }),
        { numRuns: 300 },
      );
    });

    it('is deterministic: any order of the same paths gives the same bytes', () => {
      fc.assert(
        fc.property(
          input.chain((given) =>
            fc.tuple(
              fc.constant(given),
              fc.record({
                files: permutation(given.files),
                emptyDirectories: permutation(given.emptyDirectories ?? []),
                opaqueDirectories: permutation(given.opaqueDirectories ?? []),
              }),
            ),
          ),
          ([given, shuffled]) => {
            const a = serializeFilesystemMetadata(generateFilesystemMetadata(given));
            const b = serializeFilesystemMetadata(generateFilesystemMetadata(shuffled));
            expect(b.toString()).toBe(a.toString());
          },
        ),
        { numRuns: 300 },
      );
    });

    it('round trip: serialize → parse → serialize is byte-identical, also when rebuilt from the typed fields', () => {
      fc.assert(
        fc.property(input, (given) => {
          const { bytes, parsed } = roundTrip(generateFilesystemMetadata(given));
          expect(withoutDocument(parsed)).toEqual(withoutDocument(generateFilesystemMetadata(given)));
          expect(serializeFilesystemMetadata(parsed).equals(bytes)).toBe(true);
          const rebuilt = buildFilesystemMetadata(
            (({ namespace: _n, document: _d, ...fields }: FilesystemMetadata) => fields)(parsed),
          );
          expect(serializeFilesystemMetadata(rebuilt).equals(bytes)).toBe(true);
        }),
        { numRuns: 200 },
      );
    });
  });
});

/** The short path of a long path, looked up in the tree (case-insensitively). */
function shortPathInTree(metadata: FilesystemMetadata, long: string): string | undefined {
  const [first, ...rest] = long.split('\\');
  let entries = metadata.entries;
  const out: string[] = [];
  for (const segment of [first ?? '', ...rest]) {
    const entry = entries.find((e) => nameKey(e.long) === nameKey(segment));
    if (entry === undefined) return undefined;
    out.push(entry.short ?? entry.long);
    entries = entry.children;
  }
  return out.join('\\');
}

describe('short names never take a name a sibling already is (found by review)', () => {
  const childrenOf = (files: string[], shortNames?: Map<string, string>) => {
    const metadata = generateFilesystemMetadata({ files, ...(shortNames ? { shortNames } : {}) });
    let dir = metadata.entries[0];
    while (dir && dir.children.length === 1) dir = dir.children[0];
    return Object.fromEntries((dir?.children ?? []).map((e) => [e.long, e.short]));
  };

  it('a name that is already 8.3 keeps it, and a generated one goes around it', () => {
    expect(childrenOf(['Root\\V\\Setup Files\\a.txt', 'Root\\V\\SETUPF~1\\b.txt'])).toEqual({
      'Setup Files': 'SETUPF~2',
      'SETUPF~1': 'SETUPF~1',
    });
    expect(childrenOf(['Root\\abc def.txt', 'Root\\ABCDEF~1.TXT'])).toEqual({
      'abc def.txt': 'ABCDEF~2.TXT',
      'ABCDEF~1.TXT': 'ABCDEF~1.TXT',
    });
  });

  it('a kept short name that is a sibling, or not 8.3 at all, is not kept', () => {
    const kept = new Map([
      ['root\\program files', 'VFS'],
      ['root\\other files', 'this is not 8.3!'],
    ]);
    expect(childrenOf(['Root\\Program Files\\a', 'Root\\Other Files\\c', 'Root\\VFS\\b'], kept)).toEqual({
      'Other Files': 'OTHERF~1',
      'Program Files': 'PROGRA~1',
      VFS: 'VFS',
    });
  });
});

describe('recorded short names outside ASCII (found by review)', () => {
  it('are kept as recorded, as Windows makes them with letters of the OEM code page', () => {
    const metadata = generateFilesystemMetadata({
      files: ['Root\\Notes café.txt'],
      shortNames: new Map([['root\\notes café.txt', 'NOTESÉ~1.TXT']]),
    });
    expect(metadata.entries[0]?.children[0]?.short).toBe('NOTESÉ~1.TXT');
  });
});
