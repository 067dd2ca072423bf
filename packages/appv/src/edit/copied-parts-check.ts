import type { BlockMap } from '@appv/manifest';
import {
  AppvError,
  digestItems,
  type Finding,
  FindingList,
  MAX_FINDINGS,
  type PackageItem,
  partKey,
  type WorkerPool,
} from '@appv/opc';
import type { AppvPackage } from '../appv-package.js';
import { checkBlockMap, digestRequest } from '../verify/block-map-checks.js';
import { checkDigest } from '../verify/hash-checks.js';

export interface CopiedPartsCheckOptions {
  readonly pool: WorkerPool;
  readonly signal?: AbortSignal | undefined;
  /** Compressed bytes checked so far, of the total. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * The checks of FORMAT.md §9.5–§9.7 for the parts `appv edit` copies as raw compressed bytes: their BlockMap
 * entries and every block inflated alone against its hash. A raw copy keeps the source's bytes and its
 * BlockMap entry, so a part that does not verify in the source would not verify in the result: edit wrote a
 * package that failed verify and exited 0 (found by review). Only these parts are checked: what edit
 * regenerates (manifest, content types, history) or writes anew (added parts) may be what the edit fixes.
 */
export async function checkCopiedParts(
  pkg: AppvPackage,
  blockMap: BlockMap,
  copied: readonly PackageItem[],
  options: CopiedPartsCheckOptions,
): Promise<Finding[]> {
  const everything = new FindingList(MAX_FINDINGS);
  const expectations = checkBlockMap(pkg.opc, blockMap, everything);
  const names = new Set(copied.map((item) => partKey(item.name)));
  const sink = new FindingList(MAX_FINDINGS);
  for (const finding of everything.findings) {
    if (finding.part !== undefined && names.has(partKey(finding.part))) sink.add(finding);
  }
  await digestItems(
    pkg.opc.source,
    copied.map((item) => digestRequest(item, expectations.get(item.index))),
    {
      algorithm: blockMap.hashMethod,
      collect: false,
      pool: options.pool,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      onItem: (digest) => checkDigest(digest, expectations.get(digest.item.index), sink),
    },
  );
  return sink.findings.filter((finding) => finding.severity === 'error');
}

/**
 * The error edit stops with, before anything is written: the first problem found, in the verifier's code
 * and words, with how many more there are.
 */
export function copiedPartsError(source: string, problems: readonly Finding[]): AppvError {
  const [first, ...rest] = problems as [Finding, ...Finding[]];
  const more = rest.length > 0 ? ` (and ${rest.length} more problem(s): appv verify lists them)` : '';
  return new AppvError(
    first.code,
    `Cannot edit ${source}: ${first.message}${more}. Edit copies parts as they are, so the new package would not verify either`,
    {
      ...(first.part === undefined ? {} : { part: first.part }),
      ...(first.offset === undefined ? {} : { offset: first.offset }),
      ...(first.block === undefined ? {} : { block: first.block }),
    },
  );
}
