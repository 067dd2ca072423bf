import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  blockIndices,
  blockRanges,
  buildStreamMap,
  type FeatureBlock,
  PRIMARY_FEATURE_BLOCK,
  PUBLISHING_FEATURE_BLOCK,
  parseStreamMap,
  primaryBlock,
  publishingBlock,
  STREAMMAP_NS,
  type StreamMap,
  serializeStreamMap,
} from '@appv/manifest';
import { ErrorCode } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';
import { LOCAL_FIXTURES } from './fixtures/msix.js';

const sample = readFileSync(path.join(LOCAL_FIXTURES, 'StreamMap.xml'));
const withoutDocument = ({ document: _document, ...rest }: StreamMap) => rest;

describe('parseStreamMap (FORMAT.md §4)', () => {
  it('reads the publishing and primary feature blocks', () => {
    const map = parseStreamMap(sample);
    expect(map.namespace).toBe(STREAMMAP_NS);
    expect(map.featureBlocks.map((b) => b.id)).toEqual([PUBLISHING_FEATURE_BLOCK, PRIMARY_FEATURE_BLOCK]);
    expect(publishingBlock(map)).toEqual({
      id: 'PublishingFeatureBlock',
      loadAll: false,
      files: [
        {
          name: 'Root\\VFS\\Windows\\Installer\\{0B2D6C1A-4E5F-4A3B-9C8D-7E6F5A4B3C2D}\\app.exe.0.ico',
          runs: 'whole',
        },
        {
          name: 'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe',
          runs: [
            { index: 0, count: 1 },
            { index: 305, count: 12 },
          ],
        },
      ],
    });
    expect(primaryBlock(map)?.loadAll).toBe(true);
    expect(serializeStreamMap(map).equals(sample)).toBe(true);
  });

  it('accepts an empty StreamMap, any FeatureBlock order, and a namespace in another case', () => {
    expect(parseStreamMap(`<StreamMap xmlns="${STREAMMAP_NS}"/>`).featureBlocks).toEqual([]);
    const swapped = parseStreamMap(
      `<StreamMap xmlns="${STREAMMAP_NS.toUpperCase()}"><FeatureBlock Id="PrimaryFeatureBlock"/><FeatureBlock Id="PublishingFeatureBlock"/></StreamMap>`,
    );
    expect(primaryBlock(swapped)?.id).toBe(PRIMARY_FEATURE_BLOCK);
    expect(publishingBlock(swapped)?.id).toBe(PUBLISHING_FEATURE_BLOCK);
  });

  it.each([
    ['wrong root', `<Map xmlns="${STREAMMAP_NS}"/>`],
    ['no namespace', '<StreamMap/>'],
    ['FeatureBlock without Id', `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock/></StreamMap>`],
    [
      'File without Name',
      `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="x"><File/></FeatureBlock></StreamMap>`,
    ],
    [
      'non-numeric Index',
      `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="x"><File Name="a"><Blocks Index="a" Count="1"/></File></FeatureBlock></StreamMap>`,
    ],
    [
      'missing Count',
      `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="x"><File Name="a"><Blocks Index="1"/></File></FeatureBlock></StreamMap>`,
    ],
    ['bad LoadAll', `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="x" LoadAll="yes"/></StreamMap>`],
  ])('%s → APPV_STREAMMAP_INVALID', (_what, text) => {
    expect(codeOf(() => parseStreamMap(text))).toBe(ErrorCode.APPV_STREAMMAP_INVALID);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('reads LoadAll="%s" as %s (an xs:boolean, so 1 and 0 too)', (text, loadAll) => {
    const map = parseStreamMap(
      `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="PrimaryFeatureBlock" LoadAll="${text}"/></StreamMap>`,
    );
    expect(primaryBlock(map)?.loadAll).toBe(loadAll);
  });

  it('reads a FeatureBlock without LoadAll as not LoadAll', () => {
    const map = parseStreamMap(
      `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="PrimaryFeatureBlock"/></StreamMap>`,
    );
    expect(primaryBlock(map)?.loadAll).toBe(false);
  });

  it('lets XML errors through with their own codes', () => {
    expect(codeOf(() => parseStreamMap('<!DOCTYPE x><StreamMap/>'))).toBe(ErrorCode.XML_DOCTYPE);
  });
});

describe('blockIndices', () => {
  it('expands runs, merges overlaps, and stays within the file', () => {
    expect(blockIndices({ name: 'a', runs: 'whole' }, 3)).toEqual([0, 1, 2]);
    expect(blockIndices({ name: 'a', runs: 'whole' }, 0)).toEqual([]);
    expect(
      blockIndices(
        {
          name: 'a',
          runs: [
            { index: 5, count: 2 },
            { index: 0, count: 1 },
            { index: 6, count: 3 },
          ],
        },
        100,
      ),
    ).toEqual([0, 5, 6, 7, 8]);
    // Out-of-range runs are the verifier's finding; here they cost nothing.
    expect(blockIndices({ name: 'a', runs: [{ index: 2, count: 1e15 }] }, 4)).toEqual([2, 3]);
    expect(blockIndices({ name: 'a', runs: [{ index: 10, count: 1 }] }, 4)).toEqual([]);
  });
});

describe('blockRanges', () => {
  it('merges overlapping and adjacent runs, clamps them to the file, and never lists blocks', () => {
    const runs = (list: [number, number][]) => ({
      name: 'a',
      runs: list.map(([index, count]) => ({ index, count })),
    });
    expect(
      blockRanges(
        runs([
          [5, 2],
          [0, 1],
          [6, 3],
          [1, 1],
        ]),
        100,
      ),
    ).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 9 },
    ]);
    expect(blockRanges({ name: 'a', runs: 'whole' }, 2 ** 40)).toEqual([{ start: 0, end: 2 ** 40 }]);
    expect(blockRanges({ name: 'a', runs: 'whole' }, 0)).toEqual([]);
    expect(blockRanges(runs([[2, 1e15]]), 4)).toEqual([{ start: 2, end: 4 }]);
    expect(blockRanges(runs([[10, 1]]), 4)).toEqual([]);
  });
});

describe('serializeStreamMap', () => {
  it('writes a change into the parsed document, whose layout stays', () => {
    const map = parseStreamMap(sample);
    (map.featureBlocks[0] as FeatureBlock).files = [];
    const text = sample.toString('utf8');
    // The Publishing block's files go, with their lines; everything else is as it was.
    const start = text.indexOf('    <File Name="Root\\VFS\\Windows');
    const end = text.indexOf('  </FeatureBlock>');
    expect(serializeStreamMap(map).toString()).toBe(text.slice(0, start) + text.slice(end));
  });

  it('regenerates in Windows style once changed, without a parsed document', () => {
    const { document: _document, ...map } = parseStreamMap(sample);
    (map.featureBlocks[0] as FeatureBlock).files = [];
    expect(serializeStreamMap(map).toString()).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n' +
        `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="PublishingFeatureBlock"/>` +
        '<FeatureBlock Id="PrimaryFeatureBlock" LoadAll="true"><File Name="Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe">' +
        '<Blocks Index="1" Count="304"/></File><File Name="Root\\VFS\\ProgramFilesX86\\Vendor App\\a%20b.dll"/></FeatureBlock></StreamMap>',
    );
  });

  it.each([
    ['no runs (it read back as the whole file)', []],
    ['a negative index', [{ index: -1, count: 1 }]],
    ['a fractional count', [{ index: 0, count: 1.5 }]],
    ['an index past 2^53', [{ index: 2 ** 53, count: 1 }]],
  ])(
    'refuses to write a file with %s, which would not read back as it was (found by review)',
    (_label, runs) => {
      const map = parseStreamMap(sample);
      (map.featureBlocks[0] as FeatureBlock).files = [{ name: 'Root\\a.exe', runs }];
      expect(codeOf(() => serializeStreamMap(map))).toBe(ErrorCode.APPV_STREAMMAP_INVALID);
    },
  );

  const name = fc.string({
    unit: fc.constantFrom('a', '\\', ' ', '&', '<', '"', 'é', '\u{1F600}', '%'),
    maxLength: 12,
  });
  const models = fc
    .array(
      fc.record({
        id: fc.oneof(fc.constantFrom(PUBLISHING_FEATURE_BLOCK, PRIMARY_FEATURE_BLOCK), name),
        loadAll: fc.boolean(),
        files: fc.array(
          fc.record({
            name,
            runs: fc.oneof(
              fc.constant('whole' as const),
              fc.array(fc.record({ index: fc.nat(), count: fc.nat() }), { minLength: 1, maxLength: 4 }),
            ),
          }),
          { maxLength: 4 },
        ),
      }),
      { maxLength: 3 },
    )
    // fc.record builds null-prototype objects; models are plain objects.
    .map((blocks) => buildStreamMap(JSON.parse(JSON.stringify(blocks)) as FeatureBlock[]));

  it('arbitrary models → serialize → parse gives the model back (fast-check)', () => {
    fc.assert(
      fc.property(models, (model) => {
        const bytes = serializeStreamMap(model);
        const parsed = parseStreamMap(bytes);
        expect(withoutDocument(parsed)).toStrictEqual(model);
        expect(serializeStreamMap(parsed).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('blockIndices on an absurd file size (found by review)', () => {
  it('refuses more indices than MAX_BLOCK_INDICES instead of aborting the process', () => {
    const file = { name: 'a', runs: 'whole' as const };
    expect(codeOf(() => blockIndices(file, 2 ** 36))).toBe(ErrorCode.APPV_STREAMMAP_BLOCK_RANGE);
    expect(blockRanges(file, 2 ** 36)).toEqual([{ start: 0, end: 2 ** 36 }]);
  });
});

describe('a changed StreamMap keeps what appv does not model (found by review)', () => {
  const custom = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<StreamMap xmlns="http://schemas.microsoft.com/appv/2010/streammap" xmlns:x="urn:vendor-extension" x:Note="keep me">',
    '  <!-- written by a future sequencer -->',
    '  <FeatureBlock Id="PublishingFeatureBlock" x:Priority="high">',
    '    <File Name="Root\\a.exe" x:Hint="1"><Blocks Index="0" Count="1"/></File>',
    '    <x:Extra>opaque data</x:Extra>',
    '  </FeatureBlock>',
    '  <FeatureBlock Id="PrimaryFeatureBlock" LoadAll="false">',
    '    <File Name="Root\\a.exe"/>',
    '    <File Name="Root\\b.dll"/>',
    '  </FeatureBlock>',
    '</StreamMap>',
  ].join('\r\n');
  const foreign = [
    'x:Note="keep me"',
    '<!-- written by a future sequencer -->',
    'x:Priority="high"',
    'x:Hint="1"',
    '<x:Extra>opaque data</x:Extra>',
  ];
  const model = (map: StreamMap) =>
    map.featureBlocks.map((b) => ({ id: b.id, loadAll: b.loadAll, files: b.files }));

  it('LoadAll set, files added, removed and reordered, runs changed: the rest is kept', () => {
    const map = parseStreamMap(custom);
    const primary = map.featureBlocks[1] as FeatureBlock;
    primary.loadAll = true;
    primary.files = [
      { name: 'Root\\c.dat', runs: [{ index: 2, count: 3 }] },
      { name: 'Root\\a.exe', runs: 'whole' },
    ];
    const publishing = map.featureBlocks[0] as FeatureBlock;
    publishing.files = [{ name: 'Root\\a.exe', runs: [{ index: 0, count: 2 }] }];
    const text = serializeStreamMap(map).toString('utf8');
    for (const kept of foreign) expect(text).toContain(kept);
    expect(model(parseStreamMap(text))).toEqual(model(map));
    expect(text).not.toContain('b.dll');
  });

  it('a run added to a file keeps its untouched runs as written, foreign attributes and all (found by review)', () => {
    const text = custom.replace(
      '<Blocks Index="0" Count="1"/>',
      '<Blocks Index="000" Count="1" x:Keep="run"/>',
    );
    const map = parseStreamMap(text);
    const publishing = map.featureBlocks[0] as FeatureBlock;
    publishing.files = [
      {
        name: 'Root\\a.exe',
        runs: [
          { index: 0, count: 1 },
          { index: 5, count: 1 },
        ],
      },
    ];
    const written = serializeStreamMap(map).toString('utf8');
    expect(written).toContain('<Blocks Index="000" Count="1" x:Keep="run"/>');
    expect(written).toContain('<Blocks Index="5" Count="1"/>');
    expect(model(parseStreamMap(written))).toEqual(model(map));
  });

  it('any edit of the feature blocks reads back as the model, the foreign content kept', () => {
    const names = ['Root\\a.exe', 'Root\\b.dll', 'Root\\c.dat', 'Root\\d.ico'];
    const file = fc.record({
      name: fc.constantFrom(...names),
      runs: fc.oneof(
        fc.constant('whole' as const),
        fc.array(fc.record({ index: fc.nat(20), count: fc.integer({ min: 1, max: 5 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
      ),
    });
    const block = (id: string) =>
      fc.record({
        id: fc.constant(id),
        loadAll: fc.boolean(),
        files: fc.uniqueArray(file, { selector: (f) => f.name, maxLength: 4 }),
      });
    fc.assert(
      fc.property(
        fc
          .subarray([PUBLISHING_FEATURE_BLOCK, PRIMARY_FEATURE_BLOCK])
          .chain((ids) => fc.tuple(...ids.map((id) => block(id)))),
        (blocks) => {
          const map = parseStreamMap(custom);
          map.featureBlocks = blocks;
          const text = serializeStreamMap(map).toString('utf8');
          expect(model(parseStreamMap(text))).toEqual(model(map));
          for (const kept of foreign.slice(0, 2)) expect(text).toContain(kept);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('StreamMap merge, two more cases (found by review)', () => {
  it('two feature blocks of one Id keep their own files when another block changes', () => {
    const text = [
      `<StreamMap xmlns="${STREAMMAP_NS}">`,
      '<FeatureBlock Id="PublishingFeatureBlock"><File Name="a"/></FeatureBlock>',
      '<FeatureBlock Id="PublishingFeatureBlock"><File Name="b"/></FeatureBlock>',
      '<FeatureBlock Id="PrimaryFeatureBlock"><File Name="c"/></FeatureBlock>',
      '</StreamMap>',
    ].join('');
    const map = parseStreamMap(text);
    (map.featureBlocks[2] as FeatureBlock).loadAll = true;
    const reread = parseStreamMap(serializeStreamMap(map));
    expect(reread.featureBlocks.map((b) => [b.id, b.loadAll, b.files.map((f) => f.name)])).toEqual([
      [PUBLISHING_FEATURE_BLOCK, false, ['a']],
      [PUBLISHING_FEATURE_BLOCK, false, ['b']],
      [PRIMARY_FEATURE_BLOCK, true, ['c']],
    ]);
  });

  it('a model changed back after being written is written as it now is', () => {
    const map = parseStreamMap(
      `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="PrimaryFeatureBlock"><File Name="a.exe"/></FeatureBlock></StreamMap>`,
    );
    const block = map.featureBlocks[0] as FeatureBlock;
    block.loadAll = true;
    block.files = [...block.files, { name: 'b.dll', runs: 'whole' }];
    serializeStreamMap(map);
    block.loadAll = false;
    block.files = [{ name: 'a.exe', runs: 'whole' }];
    const text = serializeStreamMap(map).toString('utf8');
    expect(text).not.toContain('LoadAll');
    expect(text).not.toContain('b.dll');
  });
});
