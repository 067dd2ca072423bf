import type { BlockMap } from '@appv/manifest';
import {
  checkOptionKeys,
  type DigestRequest,
  digestItems,
  ErrorCode,
  FindingList,
  findingFromError,
  type HashAlgorithm,
  MAX_FINDINGS,
  type OptionKeys,
  type PackageInput,
  throwIfAborted,
  toAppvError,
  WorkerPool,
} from '@appv/opc';
import { AppvPackage } from '../appv-package.js';
import { loadDocument } from '../load-document.js';
import { checkAppvLayer } from './appv-checks.js';
import { checkBlockMap, digestRequest, type Expectations } from './block-map-checks.js';
import { checkDigest } from './hash-checks.js';
import type { VerifyProgress, VerifyReport } from './verify-report.js';

export interface VerifyOptions {
  readonly signal?: AbortSignal | undefined;
  /** Worker threads for inflate + hash (default: every core). Ignored when `pool` is given. */
  readonly threads?: number | undefined;
  /**
   * A worker pool to run on, which the caller destroys: a process that verifies many packages keeps one
   * rather than starting and stopping threads per call (~45 ms a call for a small package; found by review).
   */
  readonly pool?: WorkerPool | undefined;
  readonly onProgress?: ((progress: VerifyProgress) => void) | undefined;
}

/**
 * Every check of FORMAT.md §9, points 1–8, in one call. A package that cannot even be listed yields a
 * report with the reason as its single finding; only an abort, an I/O failure of the input or a usage error
 * (no package given, a bad option) throws.
 */
const VERIFY_OPTION_KEYS: OptionKeys<VerifyOptions> = {
  signal: 'signal',
  threads: true,
  pool: 'pool',
  onProgress: 'function',
};

export async function verifyPackage(
  input: PackageInput | AppvPackage,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  checkOptionKeys(options, VERIFY_OPTION_KEYS, 'verifyPackage');
  const started = performance.now();
  const sink = new FindingList(MAX_FINDINGS);
  let pkg: AppvPackage;
  try {
    pkg =
      input instanceof AppvPackage
        ? input
        : await AppvPackage.open(input, {
            readOnly: true,
            ...(options.signal ? { signal: options.signal } : {}),
          });
  } catch (error) {
    const wrapped = toAppvError(error, ErrorCode.ZIP_CD_INVALID);
    // The caller's mistake (no package given) or the input's unreadability is thrown, not reported as a
    // finding of an invalid package (found by review: verifyPackage(null) resolved valid: false).
    const thrown: string[] = [ErrorCode.ABORTED, ErrorCode.IO_READ_FAILED, ErrorCode.USAGE];
    if (thrown.includes(wrapped.code)) throw wrapped;
    sink.add(findingFromError(wrapped));
    return report(sink, started, { items: 0, blocks: 0, bytes: 0, compressedBytes: 0 });
  }
  try {
    return await verifyOpen(pkg, sink, started, options);
  } finally {
    if (!(input instanceof AppvPackage)) await pkg.close();
  }
}

async function verifyOpen(
  pkg: AppvPackage,
  sink: FindingList,
  started: number,
  options: VerifyOptions,
): Promise<VerifyReport> {
  for (const finding of pkg.opc.findings) sink.add(finding);
  // Started before the BlockMap is parsed (main-thread work the blocks wait for), so the threads load their
  // modules meanwhile; not before the package is listed, so a package that cannot be opened starts none.
  const pool = options.pool ?? new WorkerPool(options.threads);
  try {
    const blockMap = await loadDocument(() => pkg.blockMap({ signal: options.signal }), sink);
    const stats = await checkBlocks(pkg, blockMap, pool, sink, options);
    throwIfAborted(options.signal);
    await checkAppvLayer(pkg, blockMap, sink, options.signal);
    return report(sink, started, { items: pkg.items.length, ...stats });
  } finally {
    if (pool !== options.pool) await pool.destroy();
  }
}

/**
 * FORMAT.md §9.5–§9.7: the BlockMap against the items, then every block inflated alone and hashed. Its
 * own function so that the per-item requests and expectations are garbage before the App-V layer is read.
 */
async function checkBlocks(
  pkg: AppvPackage,
  blockMap: BlockMap | null,
  pool: WorkerPool,
  sink: FindingList,
  options: VerifyOptions,
): Promise<{ blocks: number; bytes: number; compressedBytes: number }> {
  const expectations: Expectations = blockMap ? checkBlockMap(pkg.opc, blockMap, sink) : new Map();
  throwIfAborted(options.signal);
  const requests: DigestRequest[] = pkg.items
    .filter((item) => item.readable)
    .map((item) => digestRequest(item, expectations.get(item.index)));
  const total = requests.reduce((sum, r) => sum + r.item.compressedSize, 0);
  let blocks = 0;
  let bytes = 0;
  await digestItems(pkg.opc.source, requests, {
    algorithm: algorithmOf(blockMap),
    collect: false,
    ...(options.signal ? { signal: options.signal } : {}),
    pool,
    onProgress: (done) => options.onProgress?.({ phase: 'blocks', done, total }),
    onItem: (digest) => {
      blocks += digest.blockCount;
      bytes += digest.length;
      checkDigest(digest, expectations.get(digest.item.index), sink);
    },
  });
  return { blocks, bytes, compressedBytes: total };
}

function algorithmOf(blockMap: BlockMap | null): HashAlgorithm {
  return blockMap?.hashMethod ?? 'sha256';
}

function report(
  sink: FindingList,
  started: number,
  stats: { items: number; blocks: number; bytes: number; compressedBytes: number },
): VerifyReport {
  const findings = [...sink.findings];
  return {
    valid: !findings.some((f) => f.severity === 'error'),
    findings,
    droppedFindings: sink.dropped,
    stats: { ...stats, seconds: (performance.now() - started) / 1000 },
  };
}
