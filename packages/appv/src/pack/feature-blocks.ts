import path from 'node:path';
import {
  type BlockRun,
  expectedBlockCount,
  type FeatureBlock,
  PRIMARY_FEATURE_BLOCK,
  PUBLISHING_FEATURE_BLOCK,
  STREAMMAP_PART,
  type StreamMap,
  type StreamMapFile,
} from '@appv/manifest';
import {
  AppvError,
  checkModelArgument,
  checkTextArgument,
  ErrorCode,
  type Finding,
  nameKey,
  type OptionKeys,
  quoted,
} from '@appv/opc';
import { realPathOf, typedPackageName } from './typed-path.js';

/**
 * The feature blocks of StreamMap.xml (FORMAT.md §4) as `pack` and `edit` take them on the command line:
 * `--publishing <file[:blocks]>` and `--primary <file[:blocks]>`, where `blocks` is a list of 0-based block
 * indices and ranges (`0-3,10`) and no `:blocks` means the whole file.
 */

export interface FeatureFileSpec {
  /** As typed: a package name (`Root\…` or `Root/…`) or a path relative to the packed folder. */
  readonly file: string;
  readonly runs: BlockRun[] | 'whole';
}

export interface FeatureBlockOptions {
  readonly publishing?: readonly string[] | undefined;
  readonly primary?: readonly string[] | undefined;
  /** `LoadAll="true"` on the primary feature block: stream everything before launch. */
  readonly loadAll?: boolean | undefined;
}

export const FEATURE_BLOCK_OPTION_KEYS: OptionKeys<FeatureBlockOptions> = {
  publishing: 'strings',
  primary: 'strings',
  loadAll: 'boolean',
};

const BLOCK_LIST = /^\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*$/;

export function parseFeatureFileSpec(spec: string): FeatureFileSpec {
  checkTextArgument(spec, 'a feature block file (file[:blocks])', 'parseFeatureFileSpec');
  const colon = spec.lastIndexOf(':');
  const suffix = colon < 0 ? '' : spec.slice(colon + 1);
  // Windows file names cannot hold ':', so a trailing `:<list>` is always a block list.
  if (colon < 0 || !BLOCK_LIST.test(suffix)) {
    if (colon >= 0) throw invalid(spec, `"${suffix}" is not a block list such as 0-3,10`);
    return { file: spec, runs: 'whole' };
  }
  const runs = suffix.split(',').map((item): BlockRun => {
    const [from = '0', to = from] = item.split('-');
    const index = Number(from);
    const last = Number(to);
    if (last < index) throw invalid(spec, `the range ${item} runs backwards`);
    return { index, count: last - index + 1 };
  });
  return { file: spec.slice(0, colon), runs: mergeRuns(runs) };
}

/** Sorted, overlapping or touching runs joined: the StreamMap lists each block once. */
function mergeRuns(runs: BlockRun[]): BlockRun[] {
  const sorted = [...runs].sort((a, b) => a.index - b.index);
  const merged: BlockRun[] = [];
  for (const run of sorted) {
    const last = merged[merged.length - 1];
    if (last && run.index <= last.index + last.count) {
      last.count = Math.max(last.count, run.index + run.count - last.index);
    } else {
      merged.push({ ...run });
    }
  }
  return merged;
}

/** The payload as the StreamMap needs it: names and sizes, looked up case-insensitively (FORMAT.md §8). */
export interface PayloadIndex {
  /** The payload name for what the user typed, or undefined. */
  resolve(file: string): { name: string; size: number } | undefined;
  /** How a file may be named, for the message when one is not found. */
  readonly naming: string;
  /** Whether what the user typed names a folder of the payload (for the message). */
  isFolder(file: string): boolean;
}

export function payloadIndex(
  files: readonly { name: string; size: number; path?: string }[],
  /** Where a relative path typed by the user is looked for first (a plain folder's VFS prefix). */
  relativeTo?: string,
): PayloadIndex {
  const byKey = new Map(files.map((f) => [nameKey(f.name), f]));
  // Files packed from disk can also be named by their path there: `./app.exe`, or an absolute path inside
  // the folder, were refused as unknown files (found by review).
  const byPath = new Map(files.flatMap((f) => (f.path === undefined ? [] : [[f.path, f] as const])));
  // Edit has no packed folder: its message offered one (found by review).
  const fromDisk = relativeTo !== undefined || byPath.size > 0;
  return {
    naming: fromDisk
      ? 'name it as in the package, Root\\…, or by its path in the packed folder'
      : 'name it as in the package, Root\\…, as appv ls lists it',
    resolve(file) {
      if (path.isAbsolute(file)) return byPath.get(realPathOf(file));
      const name = typedPackageName(file);
      return (
        byKey.get(nameKey(name)) ??
        (relativeTo === undefined ? undefined : byKey.get(nameKey(`${relativeTo}\\${name}`)))
      );
    },
    isFolder(file) {
      if (path.isAbsolute(file)) {
        const inside = `${realPathOf(file)}${path.sep}`;
        return [...byPath.keys()].some((p) => p.startsWith(inside));
      }
      const name = typedPackageName(file).replace(/\\+$/, '');
      const prefixes = [name, ...(relativeTo === undefined ? [] : [`${relativeTo}\\${name}`])].map(
        (n) => `${nameKey(n)}\\`,
      );
      return [...byKey.keys()].some((key) => prefixes.some((prefix) => key.startsWith(prefix)));
    },
  };
}

/**
 * Resolves typed specs against the payload; an unknown file or a block past its end is refused. Specs naming
 * one file (in any spelling) are merged into one entry, `whole` winning, so the StreamMap lists each block
 * once (found by review: three specs of one file listed it three times, and info counted its blocks thrice).
 */
export function featureFiles(specs: readonly string[], payload: PayloadIndex): StreamMapFile[] {
  const byName = new Map<string, StreamMapFile>();
  for (const file of resolvedFiles(specs, payload)) {
    const key = nameKey(file.name);
    const earlier = byName.get(key);
    if (earlier === undefined) byName.set(key, file);
    else if (earlier.runs !== 'whole') {
      byName.set(key, {
        name: earlier.name,
        runs: file.runs === 'whole' ? 'whole' : mergeRuns([...earlier.runs, ...file.runs]),
      });
    }
  }
  return [...byName.values()];
}

function resolvedFiles(specs: readonly string[], payload: PayloadIndex): StreamMapFile[] {
  return specs.map((spec) => {
    const parsed = parseFeatureFileSpec(spec);
    const found = payload.resolve(parsed.file);
    if (!found) {
      // A folder was said to be no file at all (found by review: `--primary data`).
      const why = payload.isFolder(parsed.file)
        ? 'it is a folder: feature blocks list files, so name the files in it'
        : `the package has no file ${quoted(parsed.file)} (${payload.naming})`;
      throw invalid(spec, why);
    }
    const blocks = expectedBlockCount(found.size);
    if (parsed.runs !== 'whole') {
      const beyond = parsed.runs.find((run) => run.index + run.count > blocks);
      if (beyond) {
        throw invalid(
          spec,
          `${found.name} has ${blocks} block(s); block ${beyond.index + beyond.count - 1} does not exist`,
        );
      }
    }
    return { name: found.name, runs: parsed.runs };
  });
}

/**
 * Applies the command line's feature blocks to `map` (a fresh or parsed StreamMap): a list given replaces
 * that feature block's files; `loadAll` sets LoadAll on the primary block, creating it if needed.
 */
export function applyFeatureBlocks(
  map: StreamMap,
  options: FeatureBlockOptions,
  payload: PayloadIndex,
): void {
  checkModelArgument(map, 'a StreamMap', 'applyFeatureBlocks');
  checkModelArgument(options, 'options ({ publishing, primary, loadAll })', 'applyFeatureBlocks');
  checkModelArgument(payload, 'a payload index (payloadIndex)', 'applyFeatureBlocks');
  if (options.publishing !== undefined) {
    setFiles(map, PUBLISHING_FEATURE_BLOCK, featureFiles(options.publishing, payload));
  }
  if (options.primary !== undefined)
    setFiles(map, PRIMARY_FEATURE_BLOCK, featureFiles(options.primary, payload));
  if (options.loadAll !== undefined) {
    const primary = blockOf(map, PRIMARY_FEATURE_BLOCK);
    primary.loadAll = options.loadAll;
  }
}

/**
 * The sequencer's default when nothing is said: the Publishing block holds every icon whole and the first
 * block of each application's executable, which is what a client needs to publish shortcuts and icons
 * (FORMAT.md §4).
 */
export function defaultPublishingFiles(
  files: readonly { name: string; size: number }[],
  applicationFiles: readonly string[],
): StreamMapFile[] {
  const apps = new Set(applicationFiles.map(nameKey));
  const out: StreamMapFile[] = [];
  for (const file of files) {
    if (/\.ico$/i.test(file.name)) out.push({ name: file.name, runs: 'whole' });
    else if (apps.has(nameKey(file.name)) && file.size > 0)
      out.push({ name: file.name, runs: [{ index: 0, count: 1 }] });
  }
  return out;
}

/**
 * Keeps a StreamMap true to a changed payload (FORMAT.md §9.8): files no longer there are dropped and runs
 * are cut to the blocks each file has now. Returns a warning for each change (APPV_STREAMMAP_FILE_UNKNOWN,
 * APPV_STREAMMAP_BLOCK_RANGE, the codes verify gives what it fixes): a kept map was changed silently (found
 * by review).
 */
export function fitStreamMap(map: StreamMap, payload: PayloadIndex): Finding[] {
  const warnings: Finding[] = [];
  const warn = (code: ErrorCode, message: string) =>
    warnings.push({ code, severity: 'warning', part: STREAMMAP_PART, message });
  for (const block of map.featureBlocks) {
    block.files = block.files.flatMap((file): StreamMapFile[] => {
      const found = payload.resolve(file.name);
      if (!found) {
        warn(
          ErrorCode.APPV_STREAMMAP_FILE_UNKNOWN,
          `${file.name} (feature block ${block.id}) is not in the package: left out of the StreamMap`,
        );
        return [];
      }
      if (file.runs === 'whole') return [{ name: file.name, runs: 'whole' }];
      const blocks = expectedBlockCount(found.size);
      const given = file.runs;
      const runs = given
        .map((run) => ({ index: run.index, count: Math.min(run.count, blocks - run.index) }))
        .filter((run) => run.count > 0);
      if (runs.length !== given.length || runs.some((run, i) => run.count !== given[i]?.count)) {
        warn(
          ErrorCode.APPV_STREAMMAP_BLOCK_RANGE,
          `${file.name} (feature block ${block.id}) has ${blocks} block(s); its runs ${describeRuns(given)} were cut to ${runs.length === 0 ? 'none, and the file left out' : describeRuns(runs)}`,
        );
      }
      return runs.length === 0 ? [] : [{ name: file.name, runs }];
    });
  }
  return warnings;
}

/** Runs as a person reads them: blocks 0-2, 5. */
function describeRuns(runs: readonly { index: number; count: number }[]): string {
  const spans = runs.map((r) => (r.count === 1 ? `${r.index}` : `${r.index}-${r.index + r.count - 1}`));
  return `(blocks ${spans.join(', ')})`;
}

function setFiles(map: StreamMap, id: string, files: StreamMapFile[]): void {
  blockOf(map, id).files = files;
}

function blockOf(map: StreamMap, id: string): FeatureBlock {
  let block = map.featureBlocks.find((b) => b.id === id);
  if (!block) {
    block = { id, loadAll: false, files: [] };
    // Publishing first, as sequencers write it (the order is not fixed, FORMAT.md §4).
    if (id === PUBLISHING_FEATURE_BLOCK) map.featureBlocks.unshift(block);
    else map.featureBlocks.push(block);
  }
  return block;
}

function invalid(spec: string, why: string): AppvError {
  return new AppvError(ErrorCode.PACK_INPUT_INVALID, `Feature block file ${quoted(spec)}: ${why}`);
}
