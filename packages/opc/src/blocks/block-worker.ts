import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import { BLOCK_SIZE } from '../limits.js';
import { BlockHasher } from './block-hasher.js';
import type {
  BatchJob,
  BatchResult,
  BlocksOutcome,
  BlocksTask,
  HashAlgorithm,
  StreamJob,
  StreamOutcome,
  StreamResult,
  WholeTask,
  WorkerJob,
} from './block-job.js';
import { HASH_LENGTH } from './block-job.js';

/**
 * Worker thread: inflates and hashes. Synchronous zlib on purpose: the work is CPU-bound and this thread
 * exists to do it, so async zlib's thread-pool round trips would only add latency. Only large streams with
 * unknown block boundaries (no BlockMap sizes) need incremental, hence async, inflation.
 */

const port = parentPort;
if (!port) throw new Error('block-worker must run in a worker thread');

port.on('message', (job: WorkerJob) => {
  if (job.kind === 'batch') {
    const result = runBatch(job);
    port.postMessage(result);
  } else {
    void runStreamPiece(job).then((result) => port.postMessage(result));
  }
});

function runBatch(job: BatchJob): BatchResult {
  const outcomes = job.tasks.map((task) =>
    task.kind === 'blocks'
      ? runBlocks(task, job.data, job.algorithm)
      : runWhole(task, job.data, job.algorithm),
  );
  return { kind: 'batch', id: job.id, outcomes };
}

function runBlocks(task: BlocksTask, data: Uint8Array, algorithm: HashAlgorithm): BlocksOutcome {
  const digestLength = HASH_LENGTH[algorithm];
  const hashes = new Uint8Array(digestLength * task.sizes.length);
  const lengths: number[] = [];
  const errors: (string | null)[] = [];
  let crc = 0;
  let outLength = 0;
  let offset = task.offset;
  task.sizes.forEach((size, i) => {
    const input = data.subarray(offset, offset + size);
    offset += size;
    const expected = task.expected[i] ?? BLOCK_SIZE;
    try {
      const block = task.deflated ? inflateAlone(input, expected) : input;
      hashes.set(createHash(algorithm).update(block).digest(), i * digestLength);
      crc = zlib.crc32(block, crc);
      outLength += block.length;
      lengths.push(block.length);
      errors.push(null);
    } catch (error) {
      lengths.push(-1);
      errors.push(describe(error, expected));
    }
  });
  return { kind: 'blocks', hashes, lengths, errors, crc, outLength };
}

/**
 * A fresh inflater per block proves the block decodes alone. A sync-flush finish accepts data that ends at a
 * full flush (no end-of-stream marker, §3); the output cap makes a bomb fail at its first excess byte, and a
 * chunk the size of the block makes the output one buffer, not a list to concatenate.
 */
function inflateAlone(input: Uint8Array, expected: number): Buffer {
  const cap = Math.max(expected, 1);
  return zlib.inflateRawSync(input, {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    maxOutputLength: cap,
    chunkSize: Math.max(cap, zlib.constants.Z_MIN_CHUNK),
  });
}

function runWhole(task: WholeTask, data: Uint8Array, algorithm: HashAlgorithm): StreamOutcome {
  const hasher = new BlockHasher(algorithm, task.declaredSize);
  try {
    const output = inflateAlone(data.subarray(task.offset, task.offset + task.length), task.declaredSize);
    hasher.push(output);
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
  const code = (error as { code?: string }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
    return `inflates to more than ${expected} bytes`;
  return `does not inflate: ${error instanceof Error ? error.message : String(error)}`;
}

interface StreamState {
  hasher: BlockHasher;
  inflater: zlib.InflateRaw | null;
  chain: Promise<void>;
  failure: string | null;
}

const streams = new Map<number, StreamState>();

async function runStreamPiece(job: StreamJob): Promise<StreamResult> {
  let state = streams.get(job.streamId);
  if (!state) {
    state = {
      hasher: new BlockHasher(job.algorithm, job.declaredSize),
      inflater: null,
      chain: Promise.resolve(),
      failure: null,
    };
    streams.set(job.streamId, state);
  }
  const current = state;
  const work = current.chain.then(() => feedStream(current, job));
  current.chain = work.catch(() => {});
  try {
    await work;
  } catch (error) {
    current.failure ??= describe(error, job.declaredSize);
    current.inflater?.destroy();
  }
  const completed = current.hasher.takeCompleted();
  if (!job.final && current.failure === null)
    return { kind: 'stream', id: job.id, outcome: { kind: 'stream', ...completed } };
  streams.delete(job.streamId);
  const outcome: StreamOutcome =
    current.failure !== null
      ? { kind: 'stream', ...completed, error: current.failure }
      : { kind: 'stream', ...completed, crc: current.hasher.crc, outLength: current.hasher.length };
  return { kind: 'stream', id: job.id, outcome };
}

async function feedStream(state: StreamState, job: StreamJob): Promise<void> {
  if (state.failure !== null) return;
  state.inflater ??= createStreamInflater(state);
  const inflater = state.inflater;
  await new Promise<void>((resolve, reject) => {
    inflater.once('error', reject);
    const done = () => {
      inflater.off('error', reject);
      resolve();
    };
    inflater.write(job.data);
    // 'end' (not the end callback) fires only after every output chunk went through the 'data' handler.
    if (job.final) {
      inflater.once('end', done);
      inflater.end();
    } else inflater.flush(zlib.constants.Z_SYNC_FLUSH, done);
  });
  if (job.final) state.hasher.finish();
}

function createStreamInflater(state: StreamState): zlib.InflateRaw {
  const inflater = zlib.createInflateRaw({ finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: BLOCK_SIZE });
  inflater.on('data', (chunk: Buffer) => {
    try {
      state.hasher.push(chunk);
    } catch (error) {
      inflater.destroy(error as Error);
    }
  });
  return inflater;
}
