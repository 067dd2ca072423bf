import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildFilesystemMetadata,
  FILESYSTEM_METADATA_NS,
  type FilesystemEntry,
  type FilesystemMetadata,
  flattenPaths,
  forEachPath,
  generateFilesystemMetadata,
  parseFilesystemMetadata,
  serializeFilesystemMetadata,
} from '@appv/manifest';
import { ErrorCode, MAX_PATH_DEPTH } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';
import { LOCAL_FIXTURES } from './fixtures/msix.js';

const sample = readFileSync(path.join(LOCAL_FIXTURES, 'FilesystemMetadata.xml'));
const withoutDocument = ({ document: _document, ...rest }: FilesystemMetadata) => rest;

describe('parseFilesystemMetadata (FORMAT.md §5)', () => {
  it('reads the root, the long/short tree, empty and opaque directories', () => {
    const m = parseFilesystemMetadata(sample);
    expect(m.namespace).toBe(FILESYSTEM_METADATA_NS);
    expect(m.root).toBe('C:\\Program Files\\Vendor App');
    expect(m.shortRoot).toBe('C:\\PROGRA~1\\VENDOR~1');
    expect(m.entries).toHaveLength(1);
    expect(m.entries[0]?.long).toBe('Root');
    expect(m.entries[0]).not.toHaveProperty('short');
    expect(m.emptyDirectories).toEqual([
      { long: 'Root\\VFS\\AppData\\Vendor', short: 'Root\\VFS\\AppData\\VENDOR' },
    ]);
    expect(m.opaqueDirectories).toEqual([
      { long: 'Root\\VFS\\Common AppData\\Vendor', short: 'Root\\VFS\\COMMON~1\\VENDOR' },
    ]);
    expect(flattenPaths(m)).toEqual([
      'Root',
      'Root\\VFS',
      'Root\\VFS\\ProgramFilesX86',
      'Root\\VFS\\ProgramFilesX86\\Vendor App',
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe',
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\a b.dll',
      'Root\\VFS\\Common AppData',
    ]);
    expect(serializeFilesystemMetadata(m).equals(sample)).toBe(true);
  });

  it('keepSource: false holds no tree; the same model, written from its typed fields', () => {
    const kept = parseFilesystemMetadata(sample);
    const readOnly = parseFilesystemMetadata(sample, { keepSource: false });
    expect(kept.document).toBeDefined();
    expect(readOnly).not.toHaveProperty('document');
    expect(readOnly).toStrictEqual(withoutDocument(kept));
    // The sample carries formatting the model does not hold: only the kept tree writes it back as it was.
    expect(serializeFilesystemMetadata(kept).equals(sample)).toBe(true);
    const regenerated = serializeFilesystemMetadata(readOnly);
    expect(regenerated.equals(sample)).toBe(false);
    expect(withoutDocument(parseFilesystemMetadata(regenerated))).toStrictEqual(readOnly);
  });

  it('forEachPath visits what flattenPaths lists, in order', () => {
    const m = parseFilesystemMetadata(sample);
    const visited: string[] = [];
    forEachPath(m, (p) => visited.push(p));
    expect(visited).toEqual(flattenPaths(m));
    expect(visited).toHaveLength(7);
  });

  it.each([
    ['wrong root', `<Filesystem xmlns="${FILESYSTEM_METADATA_NS}"/>`],
    ['no namespace', '<Metadata/>'],
    [
      'Entry without Long',
      `<Metadata xmlns="${FILESYSTEM_METADATA_NS}"><Filesystem><Entry Short="A"/></Filesystem></Metadata>`,
    ],
    [
      'unexpected element in the tree',
      `<Metadata xmlns="${FILESYSTEM_METADATA_NS}"><Filesystem><File/></Filesystem></Metadata>`,
    ],
    [
      'two Filesystem elements',
      `<Metadata xmlns="${FILESYSTEM_METADATA_NS}"><Filesystem/><Filesystem/></Metadata>`,
    ],
  ])('%s → APPV_FSMETA_INVALID', (_what, text) => {
    expect(codeOf(() => parseFilesystemMetadata(text))).toBe(ErrorCode.APPV_FSMETA_INVALID);
  });

  it('walks a tree as deep as MAX_PATH_DEPTH, and round-trips it', () => {
    const depth = MAX_PATH_DEPTH;
    const text = `<Metadata xmlns="${FILESYSTEM_METADATA_NS}"><Filesystem>${'<Entry Long="d">'.repeat(depth)}${'</Entry>'.repeat(depth)}</Filesystem></Metadata>`;
    const m = parseFilesystemMetadata(text);
    const paths = flattenPaths(m);
    expect(paths).toHaveLength(depth);
    expect(paths[2]).toBe('d\\d\\d');
    // Changed, it is regenerated from the model, without recursion.
    m.root = 'C:\\x';
    expect(flattenPaths(parseFilesystemMetadata(serializeFilesystemMetadata(m)))).toHaveLength(depth);
  });

  it('refuses hostile trees: 50,000 deep (the XML depth limit), and past MAX_PATH_DEPTH within it', () => {
    const tree = (depth: number) =>
      `<Metadata xmlns="${FILESYSTEM_METADATA_NS}"><Filesystem>${'<Entry Long="d">'.repeat(depth)}${'</Entry>'.repeat(depth)}</Filesystem></Metadata>`;
    expect(codeOf(() => parseFilesystemMetadata(tree(50_000)))).toBe(ErrorCode.XML_TOO_LARGE);
    expect(codeOf(() => parseFilesystemMetadata(tree(MAX_PATH_DEPTH + 1)))).toBe(
      ErrorCode.APPV_FSMETA_INVALID,
    );
  });
});

describe('serializeFilesystemMetadata', () => {
  const segment = fc.string({
    unit: fc.constantFrom('a', 'B', ' ', '~', '&', '<', '"', "'", '.', 'é', '\u{1F600}', '1'),
    minLength: 1,
    maxLength: 10,
  });
  const entry: fc.Arbitrary<FilesystemEntry> = fc.letrec<{ entry: FilesystemEntry }>((tie) => ({
    entry: fc.record(
      {
        long: segment,
        short: segment,
        // maxDepth: past it only the first choice (no children) is taken.
        children: fc.oneof(
          { maxDepth: 4, depthIdentifier: 'fs' },
          fc.constant<FilesystemEntry[]>([]),
          fc.array(tie('entry'), { maxLength: 3, depthIdentifier: 'fs' }),
        ),
      },
      { requiredKeys: ['long', 'children'] },
    ),
  })).entry;
  const entries = fc.array(entry, { maxLength: 2 });
  const directories = fc.array(fc.record({ long: segment, short: segment }, { requiredKeys: ['long'] }), {
    maxLength: 3,
  });
  const models = fc
    .record(
      {
        root: segment,
        shortRoot: segment,
        entries,
        emptyDirectories: directories,
        opaqueDirectories: directories,
      },
      { requiredKeys: ['entries', 'emptyDirectories', 'opaqueDirectories'] },
    )
    // fc.record builds null-prototype objects; models are plain objects.
    .map((fields) => buildFilesystemMetadata(JSON.parse(JSON.stringify(fields))));

  it('arbitrary models → serialize → parse gives the model back (fast-check)', () => {
    fc.assert(
      fc.property(models, (model) => {
        const bytes = serializeFilesystemMetadata(model);
        const parsed = parseFilesystemMetadata(bytes);
        expect(withoutDocument(parsed)).toStrictEqual(model);
        expect(serializeFilesystemMetadata(parsed).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to write an Entry with an empty Long name, which it would refuse to read (found by review)', () => {
    const tree = buildFilesystemMetadata({
      entries: [{ long: '', children: [] }],
      emptyDirectories: [],
      opaqueDirectories: [],
    });
    expect(codeOf(() => serializeFilesystemMetadata(tree))).toBe(ErrorCode.APPV_FSMETA_INVALID);
    const empty = buildFilesystemMetadata({
      entries: [],
      emptyDirectories: [{ long: '' }],
      opaqueDirectories: [],
    });
    expect(codeOf(() => serializeFilesystemMetadata(empty))).toBe(ErrorCode.APPV_FSMETA_INVALID);
  });

  it('regenerates the modelled sections once changed, within the parsed document', () => {
    const m = parseFilesystemMetadata(sample);
    m.opaqueDirectories = [];
    const text = serializeFilesystemMetadata(m).toString();
    const declaration = sample.toString('utf8').split(/\r?\n/, 1)[0] as string;
    expect(text.startsWith(declaration)).toBe(true);
    expect(text).toContain('<OpaqueDirectories/>');
    expect(withoutDocument(parseFilesystemMetadata(text))).toStrictEqual(withoutDocument(m));
  });
});

describe('a regenerated FilesystemMetadata keeps what appv does not model (found by review)', () => {
  const custom = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Metadata xmlns="http://schemas.microsoft.com/appv/2010/FilesystemMetadata" xmlns:x="urn:vendor-extension" x:Note="keep">',
    '  <!-- keep this comment -->',
    '  <x:Custom><x:Item>opaque</x:Item></x:Custom>',
    '  <Filesystem Root="C:\\Program Files (x86)\\App" Short="C:\\PROGRA~2\\APP">',
    '    <Entry Long="Root"><Entry Long="VFS" Short="VFS"><Entry Long="ProgramFilesX86" Short="PROGRA~1"><Entry Long="App" Short="APP"><Entry Long="a.exe" Short="A.EXE"/></Entry></Entry></Entry></Entry>',
    '  </Filesystem>',
    '  <EmptyDirectories/>',
    '  <OpaqueDirectories/>',
    '</Metadata>',
  ].join('\r\n');

  /** `source` parsed, given a regenerated tree and written: the text, what was regenerated, and it read back. */
  function regenerateInto(source: string, emptyDirectories: string[] = []) {
    const parsed = parseFilesystemMetadata(source);
    const regenerated = generateFilesystemMetadata({
      files: ['Root\\VFS\\ProgramFilesX86\\App\\a.exe', 'Root\\VFS\\ProgramFilesX86\\App\\b.dll'],
      emptyDirectories,
    });
    const text = serializeFilesystemMetadata({ ...regenerated, document: parsed.document }).toString('utf8');
    for (const kept of [
      'x:Note="keep"',
      '<!-- keep this comment -->',
      '<x:Custom><x:Item>opaque</x:Item></x:Custom>',
    ])
      expect(text).toContain(kept);
    return { text, regenerated, reread: parseFilesystemMetadata(text) };
  }

  it('the foreign section, attribute and comment stay; the modelled sections are the new ones', () => {
    const { text, regenerated, reread } = regenerateInto(custom);
    expect(flattenPaths(reread.entries)).toEqual(flattenPaths(regenerated.entries));
    expect(text).toContain('b.dll');
  });

  it('a prefixed document keeps them too, the new sections written under its prefix (found by review: lost)', () => {
    const FSM = 'http://schemas.microsoft.com/appv/2010/FilesystemMetadata';
    const prefixed = custom
      .replace(`<Metadata xmlns="${FSM}"`, `<fm:Metadata xmlns:fm="${FSM}" xmlns="urn:other-default"`)
      .replace('</Metadata>', '</fm:Metadata>')
      .replace(/<(\/?)(Filesystem|Entry|EmptyDirectories|OpaqueDirectories)\b/g, '<$1fm:$2');
    const { text, regenerated, reread } = regenerateInto(prefixed, [
      'Root\\VFS\\ProgramFilesX86\\App\\empty',
    ]);
    // Unprefixed, the sections would be in urn:other-default here, and the document would read as empty.
    expect(text).not.toMatch(/<(Filesystem|Entry|EmptyDirectories|OpaqueDirectories)\b/);
    expect(reread.emptyDirectories.length).toBe(1);
    expect(flattenPaths(reread.entries)).toEqual(flattenPaths(regenerated.entries));
    expect(reread.emptyDirectories).toEqual(regenerated.emptyDirectories);
  });

  it('keeps the byte order mark and the root tag as written when the tree changes (found by review)', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(custom)]);
    const parsed = parseFilesystemMetadata(withBom);
    const regenerated = generateFilesystemMetadata({ files: ['Root\\VFS\\ProgramFilesX86\\App\\c.exe'] });
    const bytes = serializeFilesystemMetadata({ ...regenerated, document: parsed.document });
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rootTag = /<[^?!][^>]*>/.exec(custom.toString())?.[0] ?? '';
    expect(rootTag).not.toBe('');
    expect(bytes.toString('utf8')).toContain(rootTag);
    expect(flattenPaths(parseFilesystemMetadata(bytes).entries)).toEqual(flattenPaths(regenerated.entries));
  });
});
