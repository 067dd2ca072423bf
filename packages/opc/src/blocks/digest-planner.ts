import {
  BLOCK_SIZE,
  JOB_BYTES,
  MAX_COMPRESSED_BLOCK,
  WHOLE_ITEM_COMPRESSED_LIMIT,
  WHOLE_ITEM_LIMIT,
} from '../limits.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import { CompressionMethod } from '../zip/compression-method.js';
import type { Batcher } from './batcher.js';
import type { BlocksOutcome, HashAlgorithm, StreamOutcome, StreamResult } from './block-job.js';
import type { BufferPool } from './buffer-pool.js';
import { type DigestRequest, ItemAccumulator } from './item-digest.js';
import { readJobBytes } from './job-bytes.js';
import type { StreamFeeds } from './stream-feeds.js';
import type { WorkerPool } from './worker-pool.js';

export interface PlanContext {
  readonly source: RandomAccessSource;
  readonly pool: WorkerPool;
  readonly batcher: Batcher;
  /** Read buffers for the jobs, handed back by the workers. */
  readonly buffers: BufferPool;
  readonly algorithm: HashAlgorithm;
  readonly signal?: AbortSignal;
  readonly onBytes: (bytes: number) => void;
  readonly onFailure: (error: unknown) => void;
  /** True once the digest failed or was aborted: background feeds stop reading. */
  readonly stopped: () => boolean;
  readonly streams: StreamFeeds;
}

let nextStreamId = 1;

/**
 * Turns one item into tasks (FORMAT.md §3): stored items are sliced into 64 KiB blocks; deflated items with
 * BlockMap sizes are cut at those sizes so each block inflates alone; other deflated items are inflated as
 * one stream (whole when small, in pieces on one worker when large). Returns the item's accumulator.
 */
export async function planDigest(request: DigestRequest, context: PlanContext): Promise<ItemAccumulator> {
  const { item } = request;
  if (item.method === CompressionMethod.Stored) {
    const sizes = sliceSizes(item.uncompressedSize);
    return planBlocks(request, sizes, false, context);
  }
  if (request.blockSizes) return planBlocks(request, request.blockSizes, true, context);
  const accumulator = new ItemAccumulator(item, context.algorithm, 'stream', 0);
  if (item.compressedSize <= WHOLE_ITEM_COMPRESSED_LIMIT && item.uncompressedSize <= WHOLE_ITEM_LIMIT) {
    accumulator.expect();
    await context.batcher.add({
      start: item.dataOffset,
      end: item.dataOffset + item.compressedSize,
      task: { kind: 'whole', offset: 0, length: item.compressedSize, declaredSize: item.uncompressedSize },
      deliver: (outcome) => accumulator.addStream(outcome as StreamOutcome),
    });
    context.onBytes(item.compressedSize);
    accumulator.seal();
    return accumulator;
  }
  // Fed in the background (stream-feeds.ts): planning moves on to the next items at once.
  const worker = await context.streams.freeWorker();
  if (context.stopped()) {
    accumulator.seal(); // the digest is ending; the planner throws its failure next
    return accumulator;
  }
  const feeding = planStream(accumulator, worker, context).then(
    () => accumulator.seal(),
    (error: unknown) => context.onFailure(error),
  );
  context.streams.start(worker, feeding);
  return accumulator;
}

function sliceSizes(size: number): number[] {
  const sizes: number[] = [];
  for (let offset = 0; offset < size; offset += BLOCK_SIZE) sizes.push(Math.min(BLOCK_SIZE, size - offset));
  return sizes;
}

async function planBlocks(
  request: DigestRequest,
  sizes: readonly number[],
  deflated: boolean,
  context: PlanContext,
): Promise<ItemAccumulator> {
  const { item } = request;
  const accumulator = new ItemAccumulator(item, context.algorithm, 'blocks', sizes.length);
  const covered = sizes.reduce((sum, size) => sum + size, 0);
  // Bytes after the last block (the final deflate block, FORMAT.md §3) are checked with the last task.
  const tail = deflated ? Math.max(0, item.compressedSize - covered) : 0;
  let offset = 0;
  let first = 0;
  while (first < sizes.length || (first === 0 && sizes.length === 0 && tail > 0)) {
    if ((sizes[first] ?? 0) > MAX_COMPRESSED_BLOCK) {
      accumulator.failBlock(
        first,
        `its compressed size ${sizes[first]} is beyond any 64 KiB block; not read`,
      );
      offset += sizes[first] ?? 0;
      first++;
      continue;
    }
    let last = first;
    let bytes = 0;
    while (
      last < sizes.length &&
      (sizes[last] ?? 0) <= MAX_COMPRESSED_BLOCK &&
      (last === first || bytes + (sizes[last] ?? 0) <= JOB_BYTES)
    ) {
      bytes += sizes[last] ?? 0;
      last++;
    }
    const blockFirst = first;
    const endsItem = last === sizes.length;
    const taskTail = endsItem ? tail : 0;
    accumulator.expect();
    await context.batcher.add({
      start: item.dataOffset + offset,
      end: item.dataOffset + offset + bytes + taskTail,
      task: {
        kind: 'blocks',
        offset: 0,
        deflated,
        sizes: sizes.slice(first, last),
        expected: Array.from({ length: last - first }, (_, i) =>
          Math.min(BLOCK_SIZE, Math.max(0, item.uncompressedSize - (first + i) * BLOCK_SIZE)),
        ),
        endsItem,
        tail: taskTail,
      },
      deliver: (outcome) => accumulator.addBlocks(blockFirst, outcome as BlocksOutcome),
    });
    context.onBytes(bytes + taskTail);
    offset += bytes + taskTail;
    first = last;
    if (sizes.length === 0) break;
  }
  // Bytes no task read (after a skipped oversized block) still count as done, so progress ends at 100%.
  if (item.compressedSize > offset) context.onBytes(item.compressedSize - offset);
  accumulator.seal();
  return accumulator;
}

/** A large stream in JOB_BYTES pieces, all to worker `affinity` (its inflater holds the stream's state). */
async function planStream(
  accumulator: ItemAccumulator,
  affinity: number,
  context: PlanContext,
): Promise<void> {
  const { item } = accumulator;
  const streamId = nextStreamId++;
  let offset = 0;
  // A piece that fails ends the digest (onFailure, so context.stopped()); one that answers with an inflate
  // error (accumulator.streamFailed) ends this stream: that part has failed. Either way the rest is not read.
  do {
    const start = item.dataOffset + offset;
    const length = Math.min(JOB_BYTES, item.compressedSize - offset);
    offset += length;
    const final = offset >= item.compressedSize;
    accumulator.expect();
    let read: () => void = () => {};
    const wasRead = new Promise<void>((resolve) => {
      read = resolve;
    });
    const make = async () => {
      const data = await readJobBytes(context.source, start, length, context.buffers, context.signal);
      read();
      return {
        kind: 'stream' as const,
        streamId,
        algorithm: context.algorithm,
        data,
        final,
        declaredSize: item.uncompressedSize,
      };
    };
    context.pool.run(make, length, affinity).then(
      (result) => {
        context.buffers.give((result as StreamResult).input);
        accumulator.addStream((result as StreamResult).outcome);
      },
      (error: unknown) => {
        read();
        context.onFailure(error);
      },
    );
    await wasRead;
    context.onBytes(length);
  } while (offset < item.compressedSize && !accumulator.streamFailed && !context.stopped());
}
