import { type MessagePort, parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import { BLOCK_SIZE } from '../limits.js';
import { runCompress } from './block-compressor.js';
import { blockDigest } from './block-digest.js';
import { BlockHasher } from './block-hasher.js';
import type {
  BatchJob,
  BatchResult,
  BlocksOutcome,
  BlocksTask,
  FailedResult,
  HashAlgorithm,
  StreamJob,
  StreamOutcome,
  StreamResult,
  WholeTask,
  WorkerJob,
  WorkerMessage,
} from './block-job.js';
import { HASH_LENGTH } from './block-job.js';
import { RawInflater, StreamInflater } from './raw-zlib.js';
import { CONTINUATION_PROBE, withProbe } from './stream-continuation.js';

/**
 * Worker thread: inflates and hashes for the verifier, deflates and hashes for the writer
 * (block-compressor.ts). Synchronous zlib on purpose: the work is CPU-bound and this thread exists to do it,
 * so async zlib's thread-pool round trips would only add latency. Large streams with unknown block
 * boundaries (no BlockMap sizes) are inflated incrementally, piece by piece (StreamInflater in raw-zlib.ts);
 * Node's async zlib stream remains only as the fallback for a runtime whose zlib handle lacks writeSync.
 */

if (!parentPort) throw new Error('block-worker must run in a worker thread');
/** Typed non-null once, so the job functions below need no check of their own. */
const port: MessagePort = parentPort;

port.on('message', (job: WorkerMessage) => {
  // Handled between jobs, so never while a zlib stream is half made (worker-pool.ts says why that matters).
  if (job.kind === 'stop') process.exit(0);
  try {
    runJob(job);
  } catch (error) {
    failJob(job.id, error);
  }
});

function runJob(job: WorkerJob): void {
  if (job.kind === 'batch') {
    const { outcomes, digests } = withSharedHashes(runBatch(job));
    const result: BatchResult = { kind: 'batch', id: job.id, outcomes, input: job.data };
    port.postMessage(result, [result.input.buffer as ArrayBuffer, digests]);
  } else if (job.kind === 'compress') {
    const result = runCompress(job);
    port.postMessage(result, [result.output.buffer as ArrayBuffer, result.input.buffer as ArrayBuffer]);
  } else {
    runStreamPiece(job).then(
      (piece) => {
        const { outcomes, digests } = withSharedHashes([piece.outcome]);
        const result: StreamResult = { ...piece, outcome: outcomes[0] as StreamOutcome };
        port.postMessage(result, [result.input.buffer as ArrayBuffer, digests]);
      },
      (error: unknown) => failJob(job.id, error),
    );
  }
}

/**
 * A job this thread could not do (a bug, or a malformed job from a caller of WorkerPool.run) is answered as
 * failed: thrown out of the handler it ended the thread, and with it every job on the pool for good.
 */
function failJob(id: number, error: unknown): void {
  const result: FailedResult = {
    kind: 'failed',
    id,
    message: error instanceof Error ? error.message : String(error),
  };
  port.postMessage(result);
}

function runBatch(job: BatchJob): (BlocksOutcome | StreamOutcome)[] {
  return job.tasks.map((task) =>
    task.kind === 'blocks'
      ? runBlocks(task, job.data, job.algorithm)
      : runWhole(task, job.data, job.algorithm),
  );
}

/**
 * The outcomes with their digests copied into one buffer of their own, each a view of it, for the result to
 * transfer: the main thread receives one buffer per message instead of cloning one per item (a batch holds
 * hundreds of small items, and those allocations were a good part of its garbage collection), and never a
 * slice of this thread's shared pool, where the hashers' digests may lie.
 */
function withSharedHashes<O extends BlocksOutcome | StreamOutcome>(
  outcomes: readonly O[],
): { outcomes: O[]; digests: ArrayBuffer } {
  const shared = new Uint8Array(outcomes.reduce((sum, outcome) => sum + outcome.hashes.length, 0));
  let at = 0;
  const moved = outcomes.map((outcome) => {
    shared.set(outcome.hashes, at);
    const hashes = shared.subarray(at, at + outcome.hashes.length);
    at += outcome.hashes.length;
    return { ...outcome, hashes };
  });
  return { outcomes: moved, digests: shared.buffer };
}

function runBlocks(task: BlocksTask, data: Uint8Array, algorithm: HashAlgorithm): BlocksOutcome {
  const digestLength = HASH_LENGTH[algorithm];
  const hashes = new Uint8Array(digestLength * task.sizes.length);
  const lengths: number[] = [];
  const errors: (string | null)[] = [];
  let crc = 0;
  let outLength = 0;
  let offset = task.offset;
  // A block is at most 64 KiB, so it inflates into the inflater's one 64 KiB chunk: it is hashed in one
  // call, and its slot is filled only once the block proved whole (a failed block's stays zero).
  let digest: Buffer | null = null;
  const take = (chunk: Uint8Array) => {
    if (digest) throw new RangeError('a block inflates past one chunk');
    digest = blockDigest(algorithm, chunk);
    crc = zlib.crc32(chunk, crc);
  };
  task.sizes.forEach((size, i) => {
    const input = data.subarray(offset, offset + size);
    offset += size;
    const expected = task.expected[i] ?? BLOCK_SIZE;
    const mayEnd = task.endsItem && task.tail === 0 && i === task.sizes.length - 1;
    digest = null;
    try {
      let length = input.length;
      if (task.deflated) length = inflateBlock(input, expected, mayEnd, take);
      else take(input);
      hashes.set(digest ?? blockDigest(algorithm, EMPTY), i * digestLength);
      outLength += length;
      lengths.push(length);
      errors.push(null);
    } catch (error) {
      lengths.push(-1);
      errors.push(describe(error, expected));
    }
  });
  const tailError = task.tail > 0 ? checkTail(data.subarray(offset, offset + task.tail)) : null;
  return { kind: 'blocks', hashes, lengths, errors, crc, outLength, tailError };
}

const EMPTY = new Uint8Array(0);

/**
 * A fresh stream per block proves the block decodes alone (FORMAT.md §3, §9.7); one inflater is reset for
 * each rather than built anew (raw-zlib.ts says why).
 */
const inflater = new RawInflater();

/** Reused for block + probe, so probing costs a copy, not an allocation, per block. */
let scratch = Buffer.allocUnsafe(0);

function probed(input: Uint8Array): Buffer {
  const length = input.length + CONTINUATION_PROBE.length;
  if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, 2 * scratch.length));
  return withProbe(input, scratch);
}

/** Inflates one block (its output to `take`) and returns its length; throws when it cannot stand alone. */
function inflateBlock(
  input: Uint8Array,
  expected: number,
  mayEndStream: boolean,
  take: (chunk: Uint8Array) => void,
): number {
  const withTail = probed(input);
  const { produced, consumed } = inflater.inflate(withTail, expected, take);
  if (consumed === withTail.length) return produced;
  if (consumed === input.length && mayEndStream) return produced;
  if (consumed < input.length) {
    throw new Error(
      `ends the deflate stream after ${consumed} of its ${input.length} bytes; the rest is never read`,
    );
  }
  if (consumed === input.length)
    throw new Error('ends the deflate stream, so the blocks after it cannot follow');
  throw new Error('does not end on a full flush (its last bits run into the next block)');
}

/** The bytes after the last block must be a final empty deflate block: nothing out, stream ended exactly. */
function checkTail(tail: Uint8Array): string | null {
  try {
    const { produced, consumed } = inflater.inflate(probed(tail), 0, () => {});
    if (produced === 0 && consumed === tail.length) return null;
    return notTheEnd(tail);
  } catch (error) {
    if (error instanceof RangeError) return notTheEnd(tail); // it inflates to data
    return `its last ${tail.length} bytes (after the last block) do not inflate: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function notTheEnd(tail: Uint8Array): string {
  return `its last ${tail.length} bytes (after the last block) are not the end of the deflate stream`;
}

function runWhole(task: WholeTask, data: Uint8Array, algorithm: HashAlgorithm): StreamOutcome {
  const hasher = new BlockHasher(algorithm, task.declaredSize);
  try {
    const input = data.subarray(task.offset, task.offset + task.length);
    // Every chunk of a whole inflate is one whole block (64 KiB, the last shorter): each is hashed in one call.
    const { consumed } = inflater.inflate(input, task.declaredSize, (chunk) => hasher.pushBlock(chunk));
    // An unterminated stream is accepted (§3); bytes after a terminated one are not: no reader sees them.
    if (consumed < input.length) {
      throw new Error(`${input.length - consumed} bytes follow the end of the deflate stream`);
    }
    hasher.finish();
    return { kind: 'stream', ...hasher.takeCompleted(), crc: hasher.crc, outLength: hasher.length };
  } catch (error) {
    return {
      kind: 'stream',
      hashes: new Uint8Array(0),
      blockCount: 0,
      error: describe(error, task.declaredSize),
    };
  }
}

function describe(error: unknown, expected: number): string {
  if (error instanceof RangeError) return `inflates to more than ${expected} bytes`;
  return `does not inflate: ${error instanceof Error ? error.message : String(error)}`;
}

interface StreamState {
  hasher: BlockHasher;
  /** The synchronous inflater (raw-zlib.ts); null where the runtime lacks it and Node's zlib stream serves. */
  sync: StreamInflater | null;
  inflater: zlib.InflateRaw | null;
  chain: Promise<void>;
  failure: string | null;
  /** The deflate stream ended (its final block was read); later input is an error, not a wait. */
  ended: boolean;
  fed: number;
}

const streams = new Map<number, StreamState>();

async function runStreamPiece(job: StreamJob): Promise<StreamResult> {
  let state = streams.get(job.streamId);
  if (!state) {
    state = {
      hasher: new BlockHasher(job.algorithm, job.declaredSize),
      sync: StreamInflater.open(job.declaredSize, streamChunk),
      inflater: null,
      chain: Promise.resolve(),
      failure: null,
      ended: false,
      fed: 0,
    };
    streams.set(job.streamId, state);
  }
  const current = state;
  if (current.sync) {
    try {
      feedSync(current, current.sync, job);
    } catch (error) {
      current.failure ??= describe(error, job.declaredSize);
    }
  } else {
    const work = current.chain.then(() => feedStream(current, job));
    current.chain = work.catch(() => {});
    try {
      await work;
    } catch (error) {
      current.failure ??= describe(error, job.declaredSize);
      current.inflater?.destroy();
    }
  }
  const completed = current.hasher.takeCompleted();
  if (!job.final && current.failure === null)
    return { kind: 'stream', id: job.id, outcome: { kind: 'stream', ...completed }, input: job.data };
  current.sync?.close();
  streams.delete(job.streamId);
  const outcome: StreamOutcome =
    current.failure !== null
      ? { kind: 'stream', ...completed, error: current.failure }
      : { kind: 'stream', ...completed, crc: current.hasher.crc, outLength: current.hasher.length };
  return { kind: 'stream', id: job.id, outcome, input: job.data };
}

/** Output of the synchronous stream inflaters, which run one at a time on this thread. */
const streamChunk = Buffer.allocUnsafe(BLOCK_SIZE);

/** One piece through the stream's synchronous inflater: the same checks as feedStream, without the event loop. */
function feedSync(state: StreamState, inflater: StreamInflater, job: StreamJob): void {
  if (state.failure !== null) return;
  if (state.ended) {
    if (job.data.length > 0) throw new Error('data follows the end of the deflate stream');
  } else {
    const { consumed } = inflater.feed(job.data, (chunk) => state.hasher.push(chunk));
    // The stream ended inside this piece: whatever follows it is data no reader sees.
    if (consumed < job.data.length) {
      state.ended = true;
      throw new Error(`${job.data.length - consumed} bytes follow the end of the deflate stream`);
    }
  }
  if (job.final) state.hasher.finish();
}

async function feedStream(state: StreamState, job: StreamJob): Promise<void> {
  if (state.failure !== null) return;
  if (state.ended) {
    if (job.data.length > 0) throw new Error('data follows the end of the deflate stream');
    return;
  }
  state.inflater ??= createStreamInflater(state);
  const inflater = state.inflater;
  state.fed += job.data.length;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      inflater.off('error', reject);
      inflater.off('end', done);
      resolve();
    };
    inflater.once('error', reject);
    // The stream may end inside this piece (its final block): 'end' then settles the wait, whatever came first.
    inflater.once('end', done);
    inflater.write(job.data);
    if (job.final) inflater.end();
    else inflater.flush(zlib.constants.Z_SYNC_FLUSH, done);
  });
  if (state.ended && inflater.bytesWritten < state.fed) {
    throw new Error(`${state.fed - inflater.bytesWritten} bytes follow the end of the deflate stream`);
  }
  if (job.final) state.hasher.finish();
}

function createStreamInflater(state: StreamState): zlib.InflateRaw {
  const inflater = zlib.createInflateRaw({ finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: BLOCK_SIZE });
  inflater.once('end', () => {
    state.ended = true;
  });
  inflater.on('data', (chunk: Buffer) => {
    try {
      state.hasher.push(chunk);
    } catch (error) {
      inflater.destroy(error as Error);
    }
  });
  return inflater;
}
