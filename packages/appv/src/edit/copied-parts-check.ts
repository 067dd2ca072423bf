import type { BlockMap } from '@appv/manifest';
import {
  AppvError,
  digestItems,
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
 * package that failed verify and exited 0 (found by review). Only their problems stop the edit: what edit
 * regenerates (manifest, content types, history) or writes anew (added parts) may be what the edit fixes.
 * The regenerated parts the BlockMap lists (`regenerated`) are digested too, and their problems, with the
 * BlockMap's about parts not copied, come back as `repaired` (input-repairs.ts says them).
 * Every part given can be read: edit refuses one the container cannot read before this (containerProblems,
 * and rawPart for the footprint parts).
 */
export async function checkCopiedParts(
  pkg: AppvPackage,
  blockMap: BlockMap,
  copied: readonly PackageItem[],
  regenerated: readonly PackageItem[],
  options: CopiedPartsCheckOptions,
): Promise<CopiedPartsCheck> {
  const everything = new FindingList(MAX_FINDINGS);
  const expectations = checkBlockMap(pkg.opc, blockMap, everything);
  // The BlockMap's findings about the copied parts stop the edit; the others are about what it writes anew.
  const sink = new FindingList(MAX_FINDINGS);
  const repaired = new FindingList(MAX_FINDINGS);
  const copiedNames = namesOf(copied);
  for (const finding of everything.findings) (isAbout(finding, copiedNames) ? sink : repaired).add(finding);
  const regeneratedIndices = new Set(regenerated.map((item) => item.index));
  await digestItems(
    pkg.opc.source,
    [...copied, ...regenerated].map((item) => digestRequest(item, expectations.get(item.index))),
    {
      algorithm: blockMap.hashMethod,
      collect: false,
      pool: options.pool,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      onItem: (digest) =>
        checkDigest(
          digest,
          expectations.get(digest.item.index),
          regeneratedIndices.has(digest.item.index) ? repaired : sink,
        ),
    },
  );
  return {
    problems: sink.findings.filter((finding) => finding.severity === 'error'),
    repaired: [...repaired.findings],
  };
}

/**
 * What the check found: `problems` in the parts copied raw, which stop the edit; `repaired`, problems of the
 * input that the edited package will not have, being about what edit writes anew (the BlockMap's entries,
 * the manifest and history it regenerates) or leaves out.
 */
export interface CopiedPartsCheck {
  readonly problems: Finding[];
  readonly repaired: Finding[];
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

/** The name keys of `items`, by either name (the ZIP layer names an item by its ZIP name). */
function namesOf(items: readonly PackageItem[]): Set<string> {
  return new Set(items.flatMap((item) => [partKey(item.name), partKey(item.zipName)]));
}

function isAbout(finding: Finding, names: ReadonlySet<string>): boolean {
  return finding.part !== undefined && names.has(partKey(finding.part));
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
