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
  it('regenerates in Windows style once changed', () => {
    const map = parseStreamMap(sample);
    (map.featureBlocks[0] as FeatureBlock).files = [];
    expect(serializeStreamMap(map).toString()).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n' +
        `<StreamMap xmlns="${STREAMMAP_NS}"><FeatureBlock Id="PublishingFeatureBlock"/>` +
        '<FeatureBlock Id="PrimaryFeatureBlock" LoadAll="true"><File Name="Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe">' +
        '<Blocks Index="1" Count="304"/></File><File Name="Root\\VFS\\ProgramFilesX86\\Vendor App\\a%20b.dll"/></FeatureBlock></StreamMap>',
    );
  });

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
