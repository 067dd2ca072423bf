import type { BlockMap } from '@appv/manifest';
import {
  AppvError,
  CONTENT_TYPES_ITEM,
  digestItems,
  ErrorCode,
  type Finding,
  FindingList,
  findingFromError,
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
 * Every part given can be read: edit refuses one the container cannot read before this (containerProblems,
 * and rawPart for the footprint parts).
 */
export async function checkCopiedParts(
  pkg: AppvPackage,
  blockMap: BlockMap,
  copied: readonly PackageItem[],
  options: CopiedPartsCheckOptions,
): Promise<Finding[]> {
  const everything = new FindingList(MAX_FINDINGS);
  const expectations = checkBlockMap(pkg.opc, blockMap, everything);
  const sink = new FindingList(MAX_FINDINGS);
  for (const finding of findingsOf(copied, everything.findings)) sink.add(finding);
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
 * Why the container cannot read some of `items` (FORMAT.md §9.1–§9.4), in verify's code and words: edit
 * checks this before it reads any part, so a broken local header is said as such, not as the HASH_MISMATCH
 * or the unreadable neighbour it leads to (found by review). Only what makes an item unreadable: a flag or
 * a comment verify objects to is gone once edit has written fresh headers, and such a package was repaired
 * by an edit (found by review: it was refused once all container errors counted).
 */
export function containerProblems(pkg: AppvPackage, items: readonly PackageItem[]): Finding[] {
  return items.flatMap((item) => {
    const why = pkg.opc.unreadableError(item);
    return why === null ? [] : [findingFromError(why)];
  });
}

/**
 * The input's container findings that the edit leaves behind (FORMAT.md §9.1–§9.4): edit writes every header
 * and end record anew, and `[Content_Types].xml` too, so a flag, a comment, a local header that disagrees
 * with its directory entry on something other than where the data lies, wrong end-record counts or a
 * damaged `[Content_Types].xml` are gone from the result. One warning says so, so an edit does not repair a
 * package unsaid (found by a mutation test: verify failed the input, and the edit that made it valid
 * reported nothing). Findings that make a copied part unreadable stop the edit instead (containerProblems).
 */
export function repairedContainerWarning(pkg: AppvPackage): Finding | null {
  const repaired = pkg.opc.findings.filter(
    (finding) =>
      finding.code.startsWith('ZIP_') ||
      finding.code.startsWith('CONTENT_TYPES_') ||
      finding.part === CONTENT_TYPES_ITEM,
  );
  const first = repaired[0];
  if (first === undefined) return null;
  const more = repaired.length > 1 ? ` and ${repaired.length - 1} more` : '';
  return {
    code: ErrorCode.APPV_INPUT_REPAIRED,
    severity: 'warning',
    ...(first.part !== undefined ? { part: first.part } : {}),
    message: `The input package has ${first.code}${more}, which the edited package does not (edit writes every header and [Content_Types].xml anew): ${first.message}`,
  };
}

/** The BlockMap findings about `items`, by either name (the ZIP layer names an item by its ZIP name). */
function findingsOf(items: readonly PackageItem[], findings: readonly Finding[]): Finding[] {
  const names = new Set(items.flatMap((item) => [partKey(item.name), partKey(item.zipName)]));
  return findings.filter((finding) => finding.part !== undefined && names.has(partKey(finding.part)));
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
      file: source,
      ...(first.part === undefined ? {} : { part: first.part }),
      ...(first.offset === undefined ? {} : { offset: first.offset }),
      ...(first.block === undefined ? {} : { block: first.block }),
    },
  );
}
