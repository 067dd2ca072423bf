import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  BLOCKMAP_NS_2010,
  BLOCKMAP_NS_2021,
  type BlockMap,
  type BlockMapFile,
  blockCount,
  blockHash,
  blockSizes,
  buildBlockMap,
  expectedBlockCount,
  HASH_METHOD_URIS,
  parseBlockMap,
  serializeBlockMap,
  serializeBlockMapPieces,
} from '@appv/manifest';
import {
  AppvError,
  ErrorCode,
  escapeAttribute,
  HASH_LENGTH,
  type HashAlgorithm,
  PackageWriter,
} from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';
import { INVALID_DIR, unzipItem, VALID_DIR, validPackages } from './fixtures/msix.js';

const withoutDocument = ({ source: _source, ...rest }: BlockMap) => rest;

/** The Windows text of a fresh map, made the plain way (strings, Buffer's base64): the serializer's reference. */
function windowsTextFromStrings(files: readonly BlockMapFile[]): string {
  const text = files.map((file) => {
    const head = `<File Name="${escapeAttribute(file.name)}" Size="${file.size}" LfhSize="${file.lfhSize}"`;
    const blocks = file.blocks.map(
      (b) => `<Block Hash="${b.hash.toString('base64')}"${b.size === undefined ? '' : ` Size="${b.size}"`}/>`,
    );
    return file.blocks.length === 0 ? `${head}/>` : `${head}>${blocks.join('')}</File>`;
  });
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n' +
    `<BlockMap xmlns="${BLOCKMAP_NS_2010}" HashMethod="${HASH_METHOD_URIS.sha256}">${text.join('')}</BlockMap>`
  );
}
const sha = (fill: number, algorithm: HashAlgorithm = 'sha256') => Buffer.alloc(HASH_LENGTH[algorithm], fill);
const b64 = (fill: number, algorithm: HashAlgorithm = 'sha256') => sha(fill, algorithm).toString('base64');
const map = (inner: string, hashMethod = HASH_METHOD_URIS.sha256, ns = BLOCKMAP_NS_2010) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n<BlockMap xmlns="${ns}" HashMethod="${hashMethod}">${inner}</BlockMap>`;

describe('expectedBlockCount (FORMAT.md §2)', () => {
  it.each([
    [0, 0],
    [1, 1],
    [65_535, 1],
    [65_536, 1],
    [65_537, 2],
    [10 * 65_536, 10],
    [2 ** 40 + 1, 2 ** 24 + 1],
  ])('size %i → %i blocks', (size, blocks) => {
    expect(expectedBlockCount(size)).toBe(blocks);
  });
});

describe('parseBlockMap on the MSIX SDK fixtures (extracted with the system unzip)', () => {
  for (const name of validPackages()) {
    it(`${name}: parses, block counts match ceil(Size/65536), serializes byte-identically`, () => {
      const bytes = unzipItem(path.join(VALID_DIR, name), 'AppxBlockMap.xml');
      const parsed = parseBlockMap(bytes);
      expect(parsed.hashMethod).toBe('sha256');
      expect(parsed.namespace).toBe(BLOCKMAP_NS_2010);
      expect(parsed.files.length).toBeGreaterThan(0);
      // Independent count of File elements in the raw text.
      expect(parsed.files.length).toBe(bytes.toString('utf8').match(/<File /g)?.length);
      for (const file of parsed.files) {
        expect(file.blocks.length).toBe(expectedBlockCount(file.size));
        for (const block of file.blocks) expect(block.hash.length).toBe(32);
        // Stored items have no Block Size, deflated ones have it on every block (FORMAT.md §2).
        const sized = file.blocks.filter((b) => b.size !== undefined).length;
        expect([0, file.blocks.length]).toContain(sized);
      }
      expect(parsed.files.map((f) => f.name)).toContain('AppxManifest.xml');
      expect(serializeBlockMap(parsed).equals(bytes)).toBe(true);
      // Rebuilt from the typed fields alone, the Windows-style output is the same bytes too.
      expect(serializeBlockMap(buildBlockMap(parsed.files)).equals(bytes)).toBe(true);
    });
  }

  it('keepSource: false keeps no copy of the bytes; the same model, written from its typed fields', () => {
    for (const name of validPackages()) {
      const bytes = unzipItem(path.join(VALID_DIR, name), 'AppxBlockMap.xml');
      const kept = parseBlockMap(bytes);
      const readOnly = parseBlockMap(bytes, { keepSource: false });
      expect(Buffer.from(kept.source ?? []).equals(bytes)).toBe(true);
      expect(readOnly.source).toBeUndefined();
      expect(withoutDocument(readOnly)).toEqual(withoutDocument(kept));
      // Nothing to write back as it was: the map is written from its fields (Windows style) and reads back equal.
      expect(serializeBlockMap(readOnly).equals(serializeBlockMap(buildBlockMap(kept.files)))).toBe(true);
      expect(withoutDocument(parseBlockMap(serializeBlockMap(readOnly)))).toEqual(withoutDocument(kept));
    }
  });

  it('HelloWorld keeps the name that is percent-encoded twice in the ZIP decoded once (%5B)', () => {
    const parsed = parseBlockMap(unzipItem(path.join(VALID_DIR, 'HelloWorld.appx'), 'AppxBlockMap.xml'));
    const names = parsed.files.map((f) => f.name);
    expect(names).toContain('loader%5B1%5D.js');
    expect(names).toContain('shape%255B1%255D.svg');
    expect(names.some((n) => n.includes('\\'))).toBe(true);
  });

  it('Bad_Namespace_Blockmap.appx (unbound prefix) gives XML_NAMESPACE', () => {
    const bytes = unzipItem(path.join(INVALID_DIR, 'Bad_Namespace_Blockmap.appx'), 'AppxBlockMap.xml');
    let error: unknown;
    try {
      parseBlockMap(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppvError);
    expect((error as AppvError).code).toBe(ErrorCode.XML_NAMESPACE);
    expect((error as AppvError).part).toBe('AppxBlockMap.xml');
  });

  it('Duplicate_file_in_blockmap.appx (UTF-16) parses: duplicates are the verifier’s finding', () => {
    const parsed = parseBlockMap(
      unzipItem(path.join(INVALID_DIR, 'Duplicate_file_in_blockmap.appx'), 'AppxBlockMap.xml'),
    );
    const names = parsed.files.map((f) => f.name);
    expect(new Set(names).size).toBeLessThan(names.length);
  });
});

describe('parseBlockMap errors', () => {
  it('wrong root or namespace → BLOCKMAP_NAMESPACE', () => {
    expect(codeOf(() => parseBlockMap(map('', HASH_METHOD_URIS.sha256, 'urn:other')))).toBe(
      ErrorCode.BLOCKMAP_NAMESPACE,
    );
    expect(codeOf(() => parseBlockMap('<BlockMap HashMethod="x"/>'))).toBe(ErrorCode.BLOCKMAP_NAMESPACE);
    expect(codeOf(() => parseBlockMap(`<Other xmlns="${BLOCKMAP_NS_2010}"/>`))).toBe(
      ErrorCode.BLOCKMAP_NAMESPACE,
    );
  });

  it('unknown HashMethod → BLOCKMAP_HASH_METHOD', () => {
    expect(codeOf(() => parseBlockMap(map('', 'http://www.w3.org/2000/09/xmldsig#sha1')))).toBe(
      ErrorCode.BLOCKMAP_HASH_METHOD,
    );
  });

  it.each([
    ['no HashMethod', `<BlockMap xmlns="${BLOCKMAP_NS_2010}"/>`],
    ['missing Size', map(`<File Name="a" LfhSize="31"/>`)],
    ['missing LfhSize', map(`<File Name="a" Size="0"/>`)],
    ['missing Name', map(`<File Size="0" LfhSize="31"/>`)],
    ['non-numeric Size', map(`<File Name="a" Size="12a" LfhSize="31"/>`)],
    ['negative Size', map(`<File Name="a" Size="-1" LfhSize="31"/>`)],
    ['hex LfhSize', map(`<File Name="a" Size="1" LfhSize="0x1f"/>`)],
    [
      'bad Block Size',
      map(`<File Name="a" Size="1" LfhSize="31"><Block Hash="${b64(1)}" Size="1.5"/></File>`),
    ],
    ['missing Hash', map(`<File Name="a" Size="1" LfhSize="31"><Block/></File>`)],
    ['bad base64', map(`<File Name="a" Size="1" LfhSize="31"><Block Hash="!!!!${b64(1).slice(4)}"/></File>`)],
    [
      'short hash',
      map(
        `<File Name="a" Size="1" LfhSize="31"><Block Hash="${Buffer.alloc(31).toString('base64')}"/></File>`,
      ),
    ],
    [
      'sha384-length hash in a sha256 map',
      map(`<File Name="a" Size="1" LfhSize="31"><Block Hash="${b64(1, 'sha384')}"/></File>`),
    ],
    ['unexpected element', map(`<File Name="a" Size="0" LfhSize="31"><Blocks/></File>`)],
    ['text content', map('hello')],
  ])('%s → BLOCKMAP_MALFORMED', (_what, text) => {
    const error = (() => {
      try {
        parseBlockMap(text);
      } catch (e) {
        return e as AppvError;
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe(ErrorCode.BLOCKMAP_MALFORMED);
    expect(error.part).toBe('AppxBlockMap.xml');
  });

  it('names the file in the message', () => {
    expect(() => parseBlockMap(map(`<File Name="Root\\bad.dll" Size="x" LfhSize="31"/>`))).toThrow(
      /Root\\bad\.dll/,
    );
  });

  it("checks a File's own attributes before its blocks, and names the File in a block's problem", () => {
    expect(() => parseBlockMap(map(`<File Size="1" LfhSize="31"><Block/></File>`))).toThrow(/has no Name/);
    expect(() =>
      parseBlockMap(
        map(`<File Name="big.bin" Size="1" LfhSize="31"><Block Hash="${b64(1)}"/><Blocks/></File>`),
      ),
    ).toThrow(/unexpected element Blocks in "big\.bin"/);
  });

  it('reads blocks in order across whitespace, comments and foreign elements; ignores Blocks under foreign ones', () => {
    const blocks = Array.from(
      { length: 5000 },
      (_, i) => `\r\n  <Block Hash="${b64(i % 251)}" Size="${i + 1}"/>`,
    );
    blocks.splice(7, 0, '<!-- a comment -->', '<x:Ext xmlns:x="urn:x"><x:inner/><Block Hash="!"/></x:Ext>');
    const text = map(
      `<File Name="big.bin" Size="${5000 * 65_536}" LfhSize="37">${blocks.join('')}\r\n</File>` +
        `<x:Ext xmlns:x="urn:x"><Block Hash="not even base64"/></x:Ext>`,
    );
    const parsed = parseBlockMap(text);
    expect(parsed.files).toHaveLength(1);
    const [file] = parsed.files as [BlockMapFile];
    expect(file.blocks).toHaveLength(5000);
    expect(file.blocks.map((b) => b.size)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(file.blocks.every((b, i) => b.hash.equals(sha(i % 251)))).toBe(true);
    expect(serializeBlockMap(parsed).toString('utf8')).toBe(text);
  });

  it('is tolerant: newer namespaces, sha384/sha512, 2021 FileHash, duplicates, no File, wrong counts', () => {
    const ns2017 = 'http://schemas.microsoft.com/appx/2017/blockmap';
    const text =
      `<BlockMap xmlns="${ns2017}" xmlns:b4="${BLOCKMAP_NS_2021}" HashMethod="${HASH_METHOD_URIS.sha512}">` +
      `<File Name="a" Size="70000" LfhSize="31"><Block Hash="${b64(1, 'sha512')}" Size="5"/>` +
      `<b4:FileHash Hash="ignored"/></File><File Name="a" Size="0" LfhSize="31"/></BlockMap>`;
    const parsed = parseBlockMap(text);
    expect(parsed.hashMethod).toBe('sha512');
    expect(parsed.namespace).toBe(ns2017);
    expect(parsed.files).toEqual([
      { name: 'a', size: 70_000, lfhSize: 31, blocks: [{ hash: sha(1, 'sha512'), size: 5 }] },
      { name: 'a', size: 0, lfhSize: 31, blocks: [] },
    ]);
    expect(parseBlockMap(map('')).files).toEqual([]);
    expect(parseBlockMap(map('', HASH_METHOD_URIS.sha384)).hashMethod).toBe('sha384');
  });
});

describe('serializeBlockMap', () => {
  it('writes Windows style: declaration with standalone="no", CR LF, the map on one line', () => {
    const built = buildBlockMap([
      {
        name: 'Root\\a b&c.dll',
        size: 70_000,
        lfhSize: 45,
        blocks: [
          { hash: sha(1), size: 10 },
          { hash: sha(2), size: 3 },
        ],
      },
      { name: 'empty.txt', size: 0, lfhSize: 39, blocks: [] },
    ]);
    expect(serializeBlockMap(built).toString('utf8')).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n' +
        `<BlockMap xmlns="${BLOCKMAP_NS_2010}" HashMethod="${HASH_METHOD_URIS.sha256}">` +
        `<File Name="Root\\a b&amp;c.dll" Size="70000" LfhSize="45"><Block Hash="${b64(1)}" Size="10"/><Block Hash="${b64(2)}" Size="3"/></File>` +
        '<File Name="empty.txt" Size="0" LfhSize="39"/></BlockMap>',
    );
  });

  it.each([
    ['a control character', 'Root\\a\u0001b.dll'],
    ['U+FFFE', 'Root\\a\uFFFEb.dll'],
    ['a lone surrogate (it came back as U+FFFD, another name)', 'Root\\a\uD800b.dll'],
  ])('refuses a name with %s, which XML cannot carry (found by review)', (_label, name) => {
    const built = buildBlockMap([{ name, size: 1, lfhSize: 40, blocks: [{ hash: sha(1), size: 3 }] }]);
    expect(codeOf(() => serializeBlockMap(built))).toBe(ErrorCode.BLOCKMAP_MALFORMED);
  });

  it('writes a map far larger than one text piece byte for byte, multi-byte names across piece ends', () => {
    const files: BlockMapFile[] = Array.from({ length: 400 }, (_, f) => ({
      name: `Root\\dir ${f}\\ファイル 😀 ${'é'.repeat(f % 7)}.bin`,
      size: (f % 3) * 65_536 * 10,
      lfhSize: 50 + f,
      blocks: Array.from({ length: (f % 3) * 10 }, (_, b) =>
        f % 5 === 0 ? { hash: sha((f + b) % 256) } : { hash: sha((f * b) % 256), size: 1000 + b },
      ),
    }));
    const bytes = serializeBlockMap(buildBlockMap(files));
    expect(bytes.length).toBeGreaterThan(4 * 65_536);
    expect(bytes.toString('utf8')).toBe(windowsTextFromStrings(files));
    expect(withoutDocument(parseBlockMap(bytes)).files).toEqual(files);
  });

  it('writes bytes equal to the same text made from strings: any digest length, any size, names past a piece (fast-check)', () => {
    // block-map-text.ts encodes base64 and decimals itself and grows its piece for long names: checked
    // here against Buffer's base64 and JavaScript's number formatting.
    const file = fc.record({
      name: fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 20_000, max: 70_000 }).map((n) => `Root\\${'ü😀'.repeat(n)}`),
      ),
      size: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(1.5)),
      lfhSize: fc.nat({ max: 100_000 }),
      blocks: fc.array(
        fc.record(
          { hash: fc.uint8Array({ maxLength: 70 }).map((b) => Buffer.from(b)), size: fc.nat() },
          { requiredKeys: ['hash'] },
        ),
        { maxLength: 5 },
      ),
    });
    fc.assert(
      fc.property(fc.array(file, { maxLength: 4 }), (files: BlockMapFile[]) => {
        expect(serializeBlockMap(buildBlockMap(files)).toString('utf8')).toBe(windowsTextFromStrings(files));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps unknown content while unchanged, regenerates once a typed field changes', () => {
    const text = map(
      `<!-- note --><File Name="a" Size="1" LfhSize="31" Extra="x"><Block Hash="${b64(1)}"/></File>`,
    );
    const parsed = parseBlockMap(text);
    expect(serializeBlockMap(parsed).toString()).toBe(text);
    (parsed.files[0] as BlockMapFile).lfhSize = 32;
    const changed = serializeBlockMap(parsed).toString();
    expect(changed).not.toContain('note');
    expect(changed).toContain('LfhSize="32"');
    expect(withoutDocument(parseBlockMap(changed))).toEqual(withoutDocument(parsed));
  });

  const algorithm = fc.constantFrom<HashAlgorithm>('sha256', 'sha384', 'sha512');
  const unicodeName = fc.string({
    unit: fc.oneof(
      fc.constantFrom('\\', '%', '&', '<', '>', '"', "'", ' ', '[', ']', '{', '}', '\t', '\n'),
      fc.constantFrom('a', 'Z', '.', 'é', '中', '\u{1F600}'),
    ),
    maxLength: 30,
  });
  const models = algorithm.chain((hashMethod) =>
    fc
      .array(
        fc.record({
          name: unicodeName,
          size: fc.oneof(fc.nat({ max: 300_000 }), fc.constant(Number.MAX_SAFE_INTEGER)),
          lfhSize: fc.nat({ max: 65_565 }),
          stored: fc.boolean(),
          hashes: fc.array(
            fc.uint8Array({ minLength: HASH_LENGTH[hashMethod], maxLength: HASH_LENGTH[hashMethod] }),
            {
              maxLength: 5,
            },
          ),
          sizes: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
        }),
        { maxLength: 8 },
      )
      .map((files) =>
        buildBlockMap(
          files.map(
            (f): BlockMapFile => ({
              name: f.name,
              size: f.size,
              lfhSize: f.lfhSize,
              blocks: f.hashes.map((h, i) =>
                f.stored ? { hash: Buffer.from(h) } : { hash: Buffer.from(h), size: f.sizes[i] as number },
              ),
            }),
          ),
          hashMethod,
        ),
      ),
  );

  it('arbitrary models → serialize → parse gives the model back (fast-check)', () => {
    fc.assert(
      fc.property(models, (model) => {
        const bytes = serializeBlockMap(model);
        const parsed = parseBlockMap(bytes);
        expect(withoutDocument(parsed)).toEqual(model);
        // Unchanged parsed model → the same bytes.
        expect(serializeBlockMap(parsed).equals(bytes)).toBe(true);
        // A changed parsed model is regenerated through its tree; a fresh one is written straight to text.
        // Both are the Windows form: changing a field and changing it back must give the fresh bytes.
        const probe = { name: 'Probe\\x.bin', size: 0, lfhSize: 40, blocks: [] };
        parsed.files.push(probe);
        const regenerated = serializeBlockMap(parsed).toString('utf8');
        const fresh = serializeBlockMap(buildBlockMap([...model.files, probe], model.hashMethod)).toString(
          'utf8',
        );
        expect(regenerated).toBe(fresh);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parsed files keep their blocks compact (blockCount, blockHash, blockSizes)', () => {
  const text = map(
    `<File Name="a" Size="131072" LfhSize="31"><Block Hash="${b64(1)}" Size="7"/><Block Hash="${b64(2)}"/></File>` +
      '<File Name="empty" Size="0" LfhSize="35"/>',
  );

  it('the accessors agree with the blocks, for parsed and for plain files', () => {
    const parsed = parseBlockMap(text);
    const plain = buildBlockMap([
      { name: 'a', size: 131_072, lfhSize: 31, blocks: [{ hash: sha(1), size: 7 }, { hash: sha(2) }] },
    ]);
    for (const file of [parsed.files[0], plain.files[0]] as BlockMapFile[]) {
      expect(blockCount(file)).toBe(2);
      expect(blockSizes(file)).toEqual([7, undefined]);
      expect(blockHash(file, 0)).toEqual(sha(1));
      expect(blockHash(file, 1)).toEqual(sha(2));
      expect(blockHash(file, 2)).toBeUndefined();
      expect(blockHash(file, -1)).toBeUndefined();
      expect(blockHash(file, 0.5)).toBeUndefined();
    }
    expect(blockCount(parsed.files[1] as BlockMapFile)).toBe(0);
  });

  it('blocks is an ordinary own property: spread, JSON and equality see it', () => {
    const file = parseBlockMap(text).files[0] as BlockMapFile;
    expect(Object.keys(file).sort()).toEqual(['blocks', 'lfhSize', 'name', 'size']);
    const copy = { ...file };
    expect(copy.blocks).toEqual([{ hash: sha(1), size: 7 }, { hash: sha(2) }]);
    expect(JSON.parse(JSON.stringify(file)).blocks).toHaveLength(2);
    // A plain object, not a class: strict deep equality with a literal holds.
    assert.deepStrictEqual(parseBlockMap(text).files[0], {
      name: 'a',
      size: 131_072,
      lfhSize: 31,
      blocks: [{ hash: sha(1), size: 7 }, { hash: sha(2) }],
    });
    expect(parseBlockMap(text).files[1]).toStrictEqual({ name: 'empty', size: 0, lfhSize: 35, blocks: [] });
  });

  it('once read, blocks are authoritative: pushes, edits and assignments reach the accessors and the bytes', () => {
    const parsed = parseBlockMap(text);
    const file = parsed.files[0] as BlockMapFile;
    expect(serializeBlockMap(parsed).toString('utf8')).toBe(text);
    file.blocks.push({ hash: sha(3), size: 9 });
    (file.blocks[0] as { size?: number }).size = 8;
    expect(blockCount(file)).toBe(3);
    expect(blockSizes(file)).toEqual([8, undefined, 9]);
    expect(blockHash(file, 2)).toEqual(sha(3));
    const pushed = serializeBlockMap(parsed).toString('utf8');
    expect(pushed).toContain(
      `<Block Hash="${b64(1)}" Size="8"/><Block Hash="${b64(2)}"/><Block Hash="${b64(3)}" Size="9"/>`,
    );
    file.blocks = [{ hash: sha(4) }];
    expect(blockSizes(file)).toEqual([undefined]);
    expect(parseBlockMap(serializeBlockMap(parsed)).files[0]?.blocks).toEqual([{ hash: sha(4) }]);
  });

  it('many files of many blocks decode to the right digests (arena slabs filled and outgrown)', () => {
    const files = Array.from({ length: 300 }, (_, f) => ({
      name: `f${f}`,
      size: (f % 40) * 65_536,
      lfhSize: 31,
      blocks: Array.from({ length: f % 40 }, (_, b) => ({ hash: sha((f + b) % 256, 'sha512'), size: b + 1 })),
    }));
    files.push({
      name: 'big',
      size: 5000 * 65_536,
      lfhSize: 33,
      blocks: Array.from({ length: 5000 }, (_, b) => ({ hash: sha(b % 256, 'sha512'), size: b + 1 })),
    });
    const parsed = parseBlockMap(serializeBlockMap(buildBlockMap(files, 'sha512')));
    parsed.files.forEach((file, f) => {
      const expected = files[f] as (typeof files)[number];
      expect(blockCount(file)).toBe(expected.blocks.length);
      expected.blocks.forEach((block, b) => {
        expect(blockHash(file, b)?.equals(block.hash)).toBe(true);
      });
    });
  });
});

describe('writer records to BlockMap without making block objects (compact-blocks.ts)', () => {
  const isCompact = (owner: object) => Object.getOwnPropertyDescriptor(owner, 'blocks')?.get !== undefined;

  it('builds and serializes from the compact form, and the blocks read back equal the written ones', async () => {
    const out = new PassThrough();
    out.resume();
    const writer = PackageWriter.toStream(out, { threads: 2 });
    await writer.addPart('Root/a.txt', Buffer.from('compact '.repeat(30_000)), { method: 'deflate' });
    await writer.addPart('Root/b.png', randomBytes(70_000), { method: 'stored' });
    const { parts } = await writer.finish();
    expect(parts.every(isCompact)).toBe(true);
    const map = buildBlockMap(parts);
    expect(map.files.every(isCompact)).toBe(true);
    const parsed = parseBlockMap(serializeBlockMap(map));
    expect(map.files.every(isCompact) && parts.every(isCompact)).toBe(true);
    // Reading blocks makes them (and only then): the writer's records and the parsed map agree.
    expect(withoutDocument(parsed).files).toEqual(
      parts.map((p) => ({ name: p.name, size: p.size, lfhSize: p.lfhSize, blocks: p.blocks })),
    );
    expect(parts.some(isCompact)).toBe(false);
    expect(blockSizes(parsed.files[1] as BlockMapFile)).toEqual([undefined, undefined]);
  });
});

describe('serializeBlockMapPieces', () => {
  it('gives the bytes of serializeBlockMap in pieces of about 64 KiB, made one at a time', () => {
    const files: BlockMapFile[] = Array.from({ length: 50 }, (_, f) => ({
      name: `Root\\f${f}.bin`,
      size: 100 * 65_536,
      lfhSize: 40,
      blocks: Array.from({ length: 100 }, (_, b) => ({ hash: sha((f + b) % 256), size: 30_000 + b })),
    }));
    const map = buildBlockMap(files);
    const pieces = [...serializeBlockMapPieces(map)];
    expect(pieces.length).toBeGreaterThan(5);
    for (const piece of pieces.slice(0, -1)) {
      expect(piece.length).toBeGreaterThanOrEqual(64 * 1024);
      expect(piece.length).toBeLessThan(64 * 1024 + 200);
    }
    expect(Buffer.concat(pieces).equals(serializeBlockMap(map))).toBe(true);
    // An unchanged parsed map is its own bytes, in one piece.
    const parsed = parseBlockMap(Buffer.concat(pieces));
    expect([...serializeBlockMapPieces(parsed)]).toEqual([Buffer.concat(pieces)]);
  });
});
