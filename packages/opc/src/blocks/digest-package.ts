import { toAppvError, ErrorCode } from '../errors.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { OpcPackage } from '../opc-package.js';
import type { HashAlgorithm } from './block-job.js';
import { type DigestRequest, type ItemDigest, scheduleDigest } from './item-digest.js';
import { WorkerPool } from './worker-pool.js';

export interface DigestOptions {
  readonly signal?: AbortSignal;
  /** Worker threads (default: every core). */
  readonly threads?: number;
  readonly algorithm?: HashAlgorithm;
  /** Compressed bytes handed to workers so far, of the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called as each item completes, in package order. */
  readonly onItem?: (digest: ItemDigest) => void;
}

/**
 * Runs digests for a list of items over one worker pool, keeping both cores busy across item boundaries,
 * and delivers them in order. Memory: bounded by the pool's in-flight jobs plus the digests themselves.
 */
export async function digestItems(
  source: RandomAccessSource,
  requests: readonly DigestRequest[],
  options: DigestOptions = {},
): Promise<ItemDigest[]> {
  const pool = new WorkerPool(options.threads);
  const total = requests.reduce((sum, r) => sum + r.item.compressedSize, 0);
  let done = 0;
  const context = {
    source,
    pool,
    algorithm: options.algorithm ?? 'sha256',
    signal: options.signal,
    onBytes: (bytes: number) => {
      done += bytes;
      options.onProgress?.(done, total);
    },
  };
  const pending: Promise<ItemDigest>[] = [];
  try {
    for (const request of requests) {
      const { completion } = await scheduleDigest(request, context);
      completion.catch(() => {}); // observed below, in order; avoid an unhandled rejection meanwhile
      pending.push(completion);
    }
    const digests: ItemDigest[] = [];
    for (const completion of pending) {
      const digest = await completion;
      options.onItem?.(digest);
      digests.push(digest);
    }
    return digests;
  } catch (error) {
    throw toAppvError(error, ErrorCode.WORKER_FAILED);
  } finally {
    await pool.destroy();
  }
}

export interface PackageDigest {
  readonly parts: { name: string; size: number; crc32: number | null; blockHashes: (Buffer | null)[]; error: string | null }[];
  /** Uncompressed bytes digested. */
  readonly bytes: number;
}

/**
 * The plain read path: list the package, inflate every readable item, SHA-256 every 64 KiB block and CRC-32
 * everything, on worker threads. Needs no BlockMap (works on any ZIP); the verifier uses digestItems with
 * BlockMap sizes instead so each block is proven to inflate alone.
 */
export async function digestPackage(
  source: RandomAccessSource,
  options: DigestOptions = {},
): Promise<PackageDigest> {
  const pkg = await OpcPackage.open(source, options.signal ? { signal: options.signal } : {});
  const requests = pkg.items.filter((item) => item.readable).map((item) => ({ item }));
  const digests = await digestItems(source, requests, options);
  return {
    parts: digests.map((d) => ({
      name: d.item.name,
      size: d.length,
      crc32: d.crc32,
      blockHashes: d.blockHashes,
      error: d.error ?? d.blockErrors.find((e) => e !== null) ?? null,
    })),
    bytes: digests.reduce((sum, d) => sum + d.length, 0),
  };
}
