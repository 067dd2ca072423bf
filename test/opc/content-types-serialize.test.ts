import {
  type ContentTypeDefault,
  type ContentTypeOverride,
  decodeItemName,
  ErrorCode,
  FindingList,
  MAX_CONTENT_TYPE_LENGTH,
  nameKey,
  parseContentTypes,
  resolveContentType,
  serializeContentTypes,
} from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';
import { fixtureFiles, unzipItem } from '../helpers/fixtures.js';

const NS = 'http://schemas.openxmlformats.org/package/2006/content-types';

function parse(bytes: Buffer) {
  const sink = new FindingList(100);
  const types = parseContentTypes(bytes, sink);
  expect(sink.findings).toEqual([]);
  return types;
}

describe('serializeContentTypes (FORMAT.md §1, §9.4)', () => {
  it('writes the Windows-style document: declaration, CR LF, Defaults then Overrides on one line', () => {
    const bytes = serializeContentTypes({
      defaults: [
        { extension: 'dll', contentType: 'appv/vfs-file' },
        { extension: 'xml', contentType: 'appv/vfs-file' },
      ],
      overrides: [{ partName: '/AppxManifest.xml', contentType: 'application/vnd.ms-appx.manifest+xml' }],
    });
    expect(bytes.toString('utf8')).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n' +
        `<Types xmlns="${NS}">` +
        '<Default Extension="dll" ContentType="appv/vfs-file"/>' +
        '<Default Extension="xml" ContentType="appv/vfs-file"/>' +
        '<Override PartName="/AppxManifest.xml" ContentType="application/vnd.ms-appx.manifest+xml"/>' +
        '</Types>',
    );
  });

  it('writes an empty <Types/> for empty lists, and it parses', () => {
    const bytes = serializeContentTypes({ defaults: [], overrides: [] });
    expect(bytes.toString()).toContain(`<Types xmlns="${NS}"/>`);
    expect(parse(bytes)).toMatchObject({ defaults: [], overrides: [] });
  });

  it('escapes attribute values', () => {
    const contentType = 'x/y; q="<a&b>\t"';
    const bytes = serializeContentTypes({ defaults: [{ extension: 'a&b', contentType }], overrides: [] });
    expect(bytes.toString()).toContain(
      'Extension="a&amp;b" ContentType="x/y; q=&quot;&lt;a&amp;b&gt;&#9;&quot;"',
    );
    expect(parse(bytes).defaults).toEqual([{ extension: 'a&b', contentType }]);
  });

  it('refuses to write a content type that is not a media type, or is too long to print per item', () => {
    for (const contentType of [
      'text',
      'a/b/c',
      'a /b',
      'a/b;',
      'a/b; c',
      'a/b; c="d',
      `a/${'b'.repeat(128)}`,
    ]) {
      expect(() =>
        serializeContentTypes({ defaults: [{ extension: 'x', contentType }], overrides: [] }),
      ).toThrow(expect.objectContaining({ code: ErrorCode.CONTENT_TYPES_MALFORMED }));
    }
    const long = `a/b; c=${'d'.repeat(MAX_CONTENT_TYPE_LENGTH)}`;
    expect(() =>
      serializeContentTypes({ defaults: [], overrides: [{ partName: '/x', contentType: long }] }),
    ).toThrow(/longer than/);
  });

  it('accepts a parsed ContentTypes (with its document) and writes its lists', () => {
    const first = parse(
      serializeContentTypes({ defaults: [{ extension: 'exe', contentType: 'a/b' }], overrides: [] }),
    );
    expect(parse(serializeContentTypes(first)).defaults).toEqual(first.defaults);
  });

  it.each(fixtureFiles('valid'))(
    'writes the unchanged [Content_Types].xml of $name back byte for byte (found by review)',
    ({ path }) => {
      const bytes = unzipItem(path, '[Content_Types].xml');
      const parsed = parse(bytes);
      expect(serializeContentTypes(parsed).equals(bytes)).toBe(true);
      // Copies with the same lists too; a changed list is regenerated, and reads back as the new lists.
      expect(serializeContentTypes({ ...parsed }).equals(bytes)).toBe(true);
      const changed = { ...parsed, defaults: [...parsed.defaults, { extension: 'zzz', contentType: 'a/b' }] };
      const written = serializeContentTypes(changed);
      expect(written.equals(bytes)).toBe(false);
      expect(parse(written).defaults).toEqual(changed.defaults);
    },
  );

  it('refuses what the parser would reject or report', () => {
    expect(
      codeOf(() =>
        serializeContentTypes({ defaults: [{ extension: '', contentType: 'a/b' }], overrides: [] }),
      ),
    ).toBe(ErrorCode.CONTENT_TYPES_MALFORMED);
    expect(
      codeOf(() => serializeContentTypes({ defaults: [], overrides: [{ partName: '/a', contentType: '' }] })),
    ).toBe(ErrorCode.CONTENT_TYPES_MALFORMED);
    expect(
      codeOf(() =>
        serializeContentTypes({
          defaults: [
            { extension: 'DLL', contentType: 'a/b' },
            { extension: 'dll', contentType: 'a/b' },
          ],
          overrides: [],
        }),
      ),
    ).toBe(ErrorCode.CONTENT_TYPES_DUPLICATE);
    expect(
      codeOf(() =>
        serializeContentTypes({
          defaults: [],
          overrides: [
            { partName: '/Root/A%20b', contentType: 'a/b' },
            { partName: '/root/a b', contentType: 'a/b' },
          ],
        }),
      ),
    ).toBe(ErrorCode.CONTENT_TYPES_DUPLICATE);
    // A character XML cannot carry.
    expect(
      codeOf(() =>
        serializeContentTypes({ defaults: [{ extension: 'a\u0001', contentType: 'a/b' }], overrides: [] }),
      ),
    ).toBe(ErrorCode.XML_MALFORMED);
  });
});

describe('resolveContentType on written Defaults', () => {
  it('matches an extension written encoded or decoded against the encoded item name', () => {
    for (const extension of ['%7Bx%7D', '{x}', '%7bX%7d']) {
      const types = parse(
        serializeContentTypes({ defaults: [{ extension, contentType: 't/x' }], overrides: [] }),
      );
      expect(resolveContentType(types, 'Root/a%20b.%7Bx%7D')).toBe('t/x');
      expect(resolveContentType(types, 'Root/c.%7BX%7D')).toBe('t/x');
      expect(resolveContentType(types, 'Root/c.x')).toBeUndefined();
    }
  });

  it('reports a Default given both encoded and decoded as a duplicate when parsing', () => {
    const text = `<Types xmlns="${NS}"><Default Extension="%7Bx%7D" ContentType="a/b"/><Default Extension="{X}" ContentType="c/d"/></Types>`;
    const sink = new FindingList(10);
    const types = parseContentTypes(Buffer.from(text), sink);
    expect(sink.findings.map((f) => f.code)).toEqual([ErrorCode.CONTENT_TYPES_DUPLICATE]);
    expect(resolveContentType(types, 'Root/a.%7Bx%7D')).toBe('a/b');
  });
});

describe('parse ∘ serialize (property)', () => {
  // Characters XML 1.0 permits, biased towards the ones that need escaping or percent-decoding.
  const xmlChar = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', ' ', '%', '.', '/', '%20'),
    },
    { weight: 4, arbitrary: fc.constantFrom('a', 'Z', '0', 'é', '中', '\u{1F600}', '\uFFFD', '\u0085') },
    { weight: 2, arbitrary: fc.integer({ min: 0x20, max: 0xd7ff }).map((c) => String.fromCodePoint(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
  );
  const value = fc.string({ unit: xmlChar, minLength: 1, maxLength: 12 });
  const lenientDecode = (name: string) => {
    try {
      return decodeItemName(name);
    } catch {
      return name;
    }
  };
  // Media types (media-type.ts): token/token, maybe a parameter whose quoted value holds what needs escaping.
  const token = fc.string({
    unit: fc.constantFrom('a', 'Z', '0', '-', '.', '+', '!', '~'),
    minLength: 1,
    maxLength: 6,
  });
  const quoted = fc
    .string({
      unit: fc.constantFrom('&', '<', '>', "'", '\t', ' ', '%', 'a', 'é', 'ÿ', '\\"', '/'),
      maxLength: 8,
    })
    .map((v) => `"${v}"`);
  const contentType = fc
    .tuple(token, token, fc.option(fc.tuple(token, fc.oneof(token, quoted))))
    .map(
      ([type, subtype, parameter]) =>
        `${type}/${subtype}${parameter ? `; ${parameter[0]}=${parameter[1]}` : ''}`,
    );
  const defaults = fc.uniqueArray(fc.record<ContentTypeDefault>({ extension: value, contentType }), {
    selector: (d) => nameKey(lenientDecode(d.extension)),
    maxLength: 8,
  });
  const overrides = fc.uniqueArray(
    fc.record<ContentTypeOverride>({ partName: value.map((v) => `/${v}`), contentType }),
    { selector: (o) => nameKey(lenientDecode(o.partName.slice(1))), maxLength: 8 },
  );

  it('gives back the same lists, in order', () => {
    fc.assert(
      fc.property(defaults, overrides, (d, o) => {
        const bytes = serializeContentTypes({ defaults: d, overrides: o });
        const types = parse(bytes);
        expect(types.defaults).toEqual(d);
        expect(types.overrides).toEqual(o);
        // And writing the parsed lists again gives the same bytes.
        expect(serializeContentTypes(types).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
