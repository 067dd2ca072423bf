import { callerCallback } from '../caller-callback.js';
import { AppvError, abortError, ErrorCode, throwIfAborted, toAppvError } from '../errors.js';
import type { FindingSink } from '../finding.js';
import { indicesBy } from '../index-order.js';
import { JOB_BYTES, JOBS_PER_WORKER, MAX_DIGESTS_WAITING } from '../limits.js';
import { checkOptionKeys, type OptionKeys } from '../option-keys.js';
import { decodeItemNameLeniently } from '../part-name.js';
import { checkedSource } from '../source/checked-source.js';
import { isRandomAccessSource, type RandomAccessSource } from '../source/random-access-source.js';
import { listZip, type ZipListing } from '../zip/zip-listing.js';
import { Batcher } from './batcher.js';
import { checkHashAlgorithm, HASH_LENGTH, type HashAlgorithm } from './block-job.js';
import { BufferPool } from './buffer-pool.js';
import { planDigest } from './digest-planner.js';
import { DigestedPart } from './digested-part.js';
import { HashArena } from './hash-arena.js';
import { InOrderDelivery } from './in-order-delivery.js';
import type { DigestRequest, ItemAccumulator, ItemDigest } from './item-digest.js';
import { StreamFeeds } from './stream-feeds.js';
import { WorkerPool } from './worker-pool.js';

export interface DigestOptions {
  readonly signal?: AbortSignal | undefined;
  /** Worker threads (default: every core). Ignored when `pool` is given. */
  readonly threads?: number | undefined;
  /**
   * A pool to run on (the caller destroys it); by default one is made and destroyed. A caller with work to
   * do before the digest (the verifier parses the BlockMap first) starts the pool early, so the threads load
   * their modules meanwhile instead of after.
   */
  readonly pool?: WorkerPool | undefined;
  readonly algorithm?: HashAlgorithm | undefined;
  /** Compressed bytes handed to workers so far, of the total. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  /**
   * Called as each item completes, in the order of the requests. From digestPackage, items are listed as a
   * ZIP: `name` is the decoded part name, but `kind` and `contentType` are not resolved (OpcPackage does).
   */
  readonly onItem?: ((digest: ItemDigest) => void) | undefined;
  /**
   * Keep every digest and resolve with them (default true). False for a caller that takes each from
   * `onItem`: memory then holds only the digests that completed ahead of an earlier one, at most
   * MAX_DIGESTS_WAITING, whatever the package size.
   */
  readonly collect?: boolean | undefined;
}

const DIGEST_OPTION_KEYS: OptionKeys<DigestOptions> = {
  signal: 'signal',
  threads: true,
  pool: 'pool',
  algorithm: true,
  onProgress: 'function',
  onItem: 'function',
  collect: 'boolean',
};

/**
 * Digests a list of items over one worker pool. Items are planned in file order where that is safe
 * (planningOrder) so neighbours share reads and batches, and both cores stay busy across item boundaries;
 * digests are delivered in request order.
 * Memory: the pool's in-flight batches plus the digests themselves.
 */
export function digestItems(
  source: RandomAccessSource,
  requests: readonly DigestRequest[],
  options: DigestOptions = {},
): Promise<ItemDigest[]> {
  try {
    checkOptionKeys(options, DIGEST_OPTION_KEYS, 'digestItems');
    if (!Array.isArray(requests) || !requests.every((r) => typeof r?.item === 'object' && r.item !== null)) {
      throw new AppvError(ErrorCode.USAGE, 'digestItems: requests must be an array of { item, blockSizes? }');
    }
    // Heard before the workers start (stopping them takes a while), and even with nothing to digest.
    if (options.signal?.aborted) throw abortError(options.signal);
    checkHashAlgorithm(options.algorithm, 'digestItems');
    source = checkedSource(source);
  } catch (error) {
    return Promise.reject(error);
  }
  // The caller's onItem throwing is the caller's error (USAGE, as onProgress's is), not a worker failure.
  const checked = { ...options, onItem: callerCallback('onItem', options.onItem) };
  if (options.pool) return digestWith(options.pool, false, source, requests, checked);
  return digestWith(new WorkerPool(options.threads), true, source, requests, checked);
}

/** Runs the digests on `pool`, and destroys it at the end, whatever happens, if it is `owned`. */
async function digestWith(
  pool: WorkerPool,
  owned: boolean,
  source: RandomAccessSource,
  requests: readonly DigestRequest[],
  options: DigestOptions,
): Promise<ItemDigest[]> {
  const total = requests.reduce((sum, r) => sum + r.item.compressedSize, 0);
  let done = 0;
  let failure: unknown = null;
  let rejectFailure: (error: unknown) => void = () => {};
  // Settles only if a worker fails: raced against each digest so a crash cannot leave one waiting forever.
  const failed = new Promise<never>((_, reject) => {
    rejectFailure = reject;
  });
  failed.catch(() => {});
  // An abort ends the wait for results too, not only the planning.
  const onAbort = () => onFailure(options.signal?.reason ?? new Error('aborted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let delivery: InOrderDelivery | undefined;
  const onFailure = (error: unknown) => {
    failure ??= error;
    rejectFailure(error);
    delivery?.halt();
  };
  const algorithm = options.algorithm ?? 'sha256';
  const onProgress = callerCallback('onProgress', options.onProgress);
  const buffers = new BufferPool(JOB_BYTES, pool.threads * JOBS_PER_WORKER + 2);
  const batcher = new Batcher(source, pool, buffers, algorithm, options.signal, onFailure);
  const streams = new StreamFeeds(pool);
  const context = {
    streams,
    source,
    pool,
    batcher,
    buffers,
    algorithm,
    signal: options.signal,
    onFailure,
    stopped: () => failure !== null || options.signal?.aborted === true,
    onBytes: (bytes: number) => {
      done += bytes;
      onProgress?.(done, total);
    },
  };
  delivery = new InOrderDelivery(options, onFailure);
  try {
    for (const index of planningOrder(requests)) {
      const request = requests[index] as DigestRequest;
      // Planning waits while many digests wait on an earlier one (a large item still on its worker).
      // (Not raced against `failed`: a reaction per item on a promise that never settles would be kept for
      // the whole run; a failure ends this wait through halt instead.)
      if (delivery.full) await delivery.room();
      throwIfAborted(options.signal);
      if (failure) throw failure;
      const accumulator: ItemAccumulator = await planDigest(request, context);
      accumulator.done.then((digest) => delivery.settle(index, digest));
    }
    await batcher.drain();
    await Promise.race([delivery.complete(requests.length), failed]);
    if (failure) throw failure;
    return delivery.digests;
  } catch (error) {
    if (options.signal?.aborted) throw abortError(options.signal);
    throw toAppvError(error, ErrorCode.WORKER_FAILED);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await streams.settled();
    if (owned) await pool.destroy();
  }
}

/**
 * The order to plan the requests in: file order, so neighbours share reads and batches and both cores stay
 * busy across item boundaries, unless that could deadlock. Digests are delivered in request order, and the
 * planner waits for room once MAX_DIGESTS_WAITING of them wait for an earlier one; a request that lies that
 * many places later in the file than in the list would be planned only after the wait that needs it (a
 * central directory written in reverse does it). Such lists are planned in their own order.
 *
 * Why the check suffices: while the request everything waits for (the first undelivered, r) is unplanned,
 * file order has planned the position(r) requests before it in the file. Those include the r requests before
 * it in the list, all delivered; so at most position(r) − r < MAX_DIGESTS_WAITING digests wait, and the
 * delivery is not full.
 */
export function planningOrder(requests: readonly DigestRequest[]): Uint32Array {
  const byOffset = indicesBy(requests.length, (i) => (requests[i] as DigestRequest).item.dataOffset);
  for (let position = 0; position < byOffset.length; position++) {
    if (position - (byOffset[position] as number) >= MAX_DIGESTS_WAITING) {
      return Uint32Array.from(requests.keys());
    }
  }
  return byOffset;
}

/** Where digestPackage sends the listing's findings: nowhere (the verifier reports them). */
const IGNORED_FINDINGS: FindingSink = { add: () => {} };

export interface PackageDigest {
  readonly parts: DigestedPart[];
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
  if (!isRandomAccessSource(source)) {
    // A path or a Buffer was a TypeError at the first read (found by review).
    throw new AppvError(
      ErrorCode.USAGE,
      'digestPackage reads a RandomAccessSource (FileSource.open(path), new BufferSource(bytes)), not a path or bytes',
    );
  }
  checkOptionKeys(options, DIGEST_OPTION_KEYS, 'digestPackage');
  throwIfAborted(options.signal); // before the workers start: stopping them takes a while
  checkHashAlgorithm(options.algorithm, 'digestPackage');
  source = checkedSource(source);
  // The workers start (load their modules) while the package is listed, not after. A pool the caller gives
  // is used and left running (it was ignored, and threads started per call; found by review).
  const owned = options.pool === undefined;
  const pool = options.pool ?? new WorkerPool(options.threads);
  let listing: ZipListing;
  try {
    // Listed as a ZIP only: what the read path needs is where each item's bytes lie. The OPC layer (name
    // checks, duplicate and prefix keys, content types: ~80 ms and two strings per item for 16,000 parts)
    // is left to OpcPackage.open; each part still gets its decoded name below. Container findings are the
    // verifier's, so they are not kept.
    listing = await listZip(source, IGNORED_FINDINGS, options.signal);
  } catch (error) {
    if (owned) await pool.destroy();
    throw error;
  }
  const requests: DigestRequest[] = [];
  for (const item of listing.items) {
    if (!item.readable) continue;
    item.name = decodeItemNameLeniently(item.zipName); // the part name, as OpcPackage names it
    requests.push({ item });
  }
  const parts: DigestedPart[] = [];
  const arena = new HashArena();
  const onItem = callerCallback('onItem', options.onItem);
  let bytes = 0;
  // Each digest becomes its part as it is delivered, its digests copied into the arena: the digest itself
  // (a buffer and arrays per item) is garbage at once, and 16,000 parts hold a few slabs between them.
  await digestWith(pool, owned, source, requests, {
    ...options,
    collect: false,
    onItem: (d) => {
      onItem?.(d);
      bytes += d.length;
      parts.push(partOf(d, arena));
    },
  });
  return { parts, bytes };
}

function partOf(digest: ItemDigest, arena: HashArena): DigestedPart {
  const hashLength = HASH_LENGTH[digest.algorithm];
  arena.begin();
  arena.addBytes(digest.hashes.subarray(0, digest.blockCount * hashLength));
  const failed = new Set<number>();
  for (let i = 0; i < digest.blockCount; i++) if (!digest.hasBlock(i)) failed.add(i);
  return new DigestedPart(
    digest.item.name,
    digest.length,
    digest.crc32,
    digest.error ?? digest.blockErrors.find((e) => e !== null) ?? null,
    arena.end(),
    hashLength,
    failed.size > 0 ? failed : null,
  );
}
