import {
  AppvError,
  checkModelArgument,
  ErrorCode,
  getAttribute,
  MAX_BLOCK_INDICES,
  parseXml,
  quoted,
  type XmlDocument,
  type XmlElement,
} from '@appv/opc';
import type { FootprintParseOptions } from './footprint-document.js';
import { ParsedFingerprints, typedElement, typedRoot, writeTypedDocument } from './footprint-document.js';
import { STREAMMAP_NS, sameNamespaceIgnoringCase } from './namespaces.js';
import { mergeStreamMap } from './stream-map-merge.js';

/**
 * StreamMap.xml (FORMAT.md §4, [tools]): which blocks the client stages at publishing time and streams
 * at first launch. Whether names and runs refer to real files and blocks is the verifier's check
 * (APPV_STREAMMAP_FILE_UNKNOWN / APPV_STREAMMAP_BLOCK_RANGE); this parser only refuses what cannot be read.
 */

export const STREAMMAP_PART = 'StreamMap.xml';
export const PUBLISHING_FEATURE_BLOCK = 'PublishingFeatureBlock';
export const PRIMARY_FEATURE_BLOCK = 'PrimaryFeatureBlock';

/** A run of consecutive 0-based 64 KiB block indices. */
export interface BlockRun {
  index: number;
  count: number;
}

export interface StreamMapFile {
  /** Decoded part name with `\` separators, as in the BlockMap. */
  name: string;
  /** `'whole'` for a `File` without `Blocks` children (FORMAT.md §4); otherwise never empty. */
  runs: BlockRun[] | 'whole';
}

export interface FeatureBlock {
  id: string;
  /** `LoadAll="true"`: download the whole package before launch. [tools][inferred] */
  loadAll: boolean;
  files: StreamMapFile[];
}

export interface StreamMap {
  /** Root namespace as written (matched case-insensitively when read; written as parsed). */
  namespace: string;
  /** In document order, which is not fixed (FORMAT.md §4). */
  featureBlocks: FeatureBlock[];
  document?: XmlDocument;
}

export function publishingBlock(map: StreamMap): FeatureBlock | undefined {
  checkModelArgument(map, 'a StreamMap', 'publishingBlock', { featureBlocks: 'array' });
  return map.featureBlocks.find((b) => b.id === PUBLISHING_FEATURE_BLOCK);
}

export function primaryBlock(map: StreamMap): FeatureBlock | undefined {
  checkModelArgument(map, 'a StreamMap', 'primaryBlock', { featureBlocks: 'array' });
  return map.featureBlocks.find((b) => b.id === PRIMARY_FEATURE_BLOCK);
}

/** Blocks `start` (included) to `end` (excluded) of a file. */
export interface BlockRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The blocks a StreamMap file asks for as ascending, disjoint ranges, limited to the file's real blocks
 * [0, totalBlocks): runs that reach outside are the verifier's finding, not a reason to allocate. Ranges,
 * not indices: a declared size is only a number, and a list per block of a 2^53-byte file cannot be made
 * (`appv info` failed with a bare RangeError on one, found by review).
 */
export function blockRanges(file: StreamMapFile, totalBlocks: number): BlockRange[] {
  checkModelArgument(file, 'a StreamMap file ({ name, runs })', 'blockRanges');
  if (typeof totalBlocks !== 'number' || Number.isNaN(totalBlocks)) {
    throw new AppvError(ErrorCode.USAGE, "blockRanges takes the file's block count (a number)");
  }
  if (file.runs === 'whole') return totalBlocks > 0 ? [{ start: 0, end: totalBlocks }] : [];
  const clamped = file.runs
    .map((run) => ({ start: Math.max(0, run.index), end: Math.min(totalBlocks, run.index + run.count) }))
    .filter((range) => range.start < range.end)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of clamped) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/** The distinct block indices a StreamMap file asks for, ascending (blockRanges, one number per block). */
export function blockIndices(file: StreamMapFile, totalBlocks: number): number[] {
  const ranges = blockRanges(file, totalBlocks);
  const count = ranges.reduce((sum, { start, end }) => sum + end - start, 0);
  // One number per block: a file of 2^52 bytes would ask for an array V8 cannot make, and that aborts the
  // process rather than throwing (found by review). Past the limit, blockRanges is the form to use.
  if (count > MAX_BLOCK_INDICES) {
    throw new AppvError(
      ErrorCode.APPV_STREAMMAP_BLOCK_RANGE,
      `${file.name}: ${count} block indices are more than ${MAX_BLOCK_INDICES} (use blockRanges)`,
      { part: file.name },
    );
  }
  const out: number[] = [];
  for (const { start, end } of ranges) for (let i = start; i < end; i++) out.push(i);
  return out;
}

/** A new, empty StreamMap (a StreamMap with no FeatureBlock is valid, FORMAT.md §4). */
export function buildStreamMap(featureBlocks: FeatureBlock[] = []): StreamMap {
  return { namespace: STREAMMAP_NS, featureBlocks };
}

const DECIMAL = /^[0-9]+$/;

export function parseStreamMap(
  bytes: Uint8Array | string,
  options: Pick<FootprintParseOptions, 'part' | 'maxNodes'> = {},
): StreamMap {
  const part = options.part ?? STREAMMAP_PART;
  const document = parseXml(bytes, {
    part,
    ...(options.maxNodes === undefined ? {} : { maxNodes: options.maxNodes }),
  });
  const invalid = (message: string): never => {
    throw new AppvError(ErrorCode.APPV_STREAMMAP_INVALID, `${part}: ${message}`, { part });
  };
  const root = document.root;
  if (root.localName !== 'StreamMap' || !sameNamespaceIgnoringCase(root.namespace, STREAMMAP_NS)) {
    invalid(`root is {${root.namespace ?? ''}}${root.localName}, not a StreamMap`);
  }
  const namespace = root.namespace as string;
  const ours = (e: XmlElement): boolean => e.namespace === namespace;
  const integer = (element: XmlElement, attribute: string, fileName: string): number => {
    const text = getAttribute(element, null, attribute);
    if (text === undefined || !DECIMAL.test(text) || !Number.isSafeInteger(Number(text))) {
      return invalid(`Blocks ${attribute}="${text ?? ''}" of "${fileName}" is not a non-negative integer`);
    }
    return Number(text);
  };

  const featureBlocks: FeatureBlock[] = [];
  for (const blockElement of root.children) {
    if (blockElement.kind !== 'element' || !ours(blockElement)) continue;
    if (blockElement.localName !== 'FeatureBlock') invalid(`unexpected element ${blockElement.name}`);
    const id = getAttribute(blockElement, null, 'Id');
    if (id === undefined) return invalid('a FeatureBlock has no Id');
    const loadAllText = getAttribute(blockElement, null, 'LoadAll');
    if (loadAllText !== undefined && !['true', 'false', '1', '0'].includes(loadAllText)) {
      invalid(`LoadAll="${loadAllText}" of ${id} is not a boolean`);
    }
    const feature: FeatureBlock = { id, loadAll: loadAllText === 'true' || loadAllText === '1', files: [] };
    for (const fileElement of blockElement.children) {
      if (fileElement.kind !== 'element' || !ours(fileElement)) continue;
      if (fileElement.localName !== 'File') invalid(`unexpected element ${fileElement.name} in ${id}`);
      const name = getAttribute(fileElement, null, 'Name');
      if (name === undefined) return invalid(`a File in ${id} has no Name`);
      const runs: BlockRun[] = [];
      for (const runElement of fileElement.children) {
        if (runElement.kind !== 'element' || !ours(runElement)) continue;
        if (runElement.localName !== 'Blocks') invalid(`unexpected element ${runElement.name} in "${name}"`);
        runs.push({ index: integer(runElement, 'Index', name), count: integer(runElement, 'Count', name) });
      }
      feature.files.push({ name, runs: runs.length === 0 ? 'whole' : runs });
    }
    featureBlocks.push(feature);
  }
  const map: StreamMap = { namespace, featureBlocks, document };
  prints.remember(map);
  return map;
}

function fingerprint(map: StreamMap, put: (text: string) => void): void {
  put(JSON.stringify([map.namespace, map.featureBlocks]));
}

const prints = new ParsedFingerprints<StreamMap>(fingerprint);

function regenerate(map: StreamMap): XmlElement {
  const ns = map.namespace;
  return typedRoot(
    'StreamMap',
    ns,
    [],
    map.featureBlocks.map((block) =>
      typedElement(
        'FeatureBlock',
        ns,
        [
          ['Id', block.id],
          // Written only when set: the sequencer's output for the default is unknown. [inferred]
          ['LoadAll', block.loadAll ? 'true' : undefined],
        ],
        block.files.map((file) =>
          typedElement(
            'File',
            ns,
            [['Name', file.name]],
            file.runs === 'whole'
              ? []
              : file.runs.map((run) =>
                  typedElement('Blocks', ns, [
                    ['Index', String(run.index)],
                    ['Count', String(run.count)],
                  ]),
                ),
          ),
        ),
      ),
    ),
  );
}

/** The bytes of StreamMap.xml: the parsed text when unchanged, else Windows style. [inferred] */
export function serializeStreamMap(map: StreamMap): Buffer {
  checkModelArgument(map, 'a StreamMap', 'serializeStreamMap', { featureBlocks: 'array' });
  checkWritable(map);
  return writeTypedDocument(map, prints, regenerate, mergeStreamMap);
}

/**
 * Refuses a model the document cannot say, so that what is written reads back as it was: `runs: []` came
 * back as the whole file, and an index of -1, 1.5 or 2^53 was written and then refused by the parser
 * (found by review). An empty list of runs is `'whole'` or no File at all.
 */
function checkWritable(map: StreamMap): void {
  const invalid = (message: string): never => {
    throw new AppvError(ErrorCode.APPV_STREAMMAP_INVALID, `${STREAMMAP_PART}: ${message}`, {
      part: STREAMMAP_PART,
    });
  };
  const wholeNumber = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  for (const block of map.featureBlocks) {
    for (const file of block.files) {
      if (file.runs === 'whole') continue;
      if (!Array.isArray(file.runs) || file.runs.length === 0) {
        invalid(`${quoted(file.name)} in ${block.id} has no block runs: give 'whole' or leave the file out`);
      }
      for (const run of file.runs) {
        if (!wholeNumber(run.index) || !wholeNumber(run.count)) {
          invalid(
            `${quoted(file.name)} in ${block.id}: Index ${run.index} Count ${run.count} must be whole numbers from 0`,
          );
        }
      }
    }
  }
}
