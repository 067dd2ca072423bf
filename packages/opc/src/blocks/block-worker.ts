import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import { BLOCK_SIZE } from '../limits.js';
import type { BlocksJob, BlocksResult, HashAlgorithm, StreamJob, StreamResult, WorkerJob } from './block-job.js';
import { HASH_LENGTH } from './block-job.js';

/**
 * Worker thread: inflates and hashes blocks. Synchronous zlib calls on purpose: the work is CPU-bound and
 * this thread exists to do it, so the libuv thread-pool round trips of async zlib would only add latency.
 */

/** One-shot streams up to this size are inflated in a single call; larger ones incrementally. */
const WHOLE_STREAM_LIMIT = 16 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error('block-worker must run in a worker thread');

port.on('message', (job: WorkerJob) => {
  if (job.kind === 'blocks') {
    const result = runBlocks(job);
    port.postMessage(result, [result.hashes.buffer as ArrayBuffer]);
  } else {
    void runStream(job).then((result) => port.postMessage(result, [result.hashes.buffer as ArrayBuffer]));
  }
});

function runBlocks(job: BlocksJob): BlocksResult {
  const digestLength = HASH_LENGTH[job.algorithm];
  const hashes = new Uint8Array(digestLength * job.sizes.length);
  const lengths: number[] = [];
  const errors: (string | null)[] = [];
  let crc = 0;
  let outLength = 0;
  let offset = 0;
  job.sizes.forEach((size, i) => {
    const input = job.data.subarray(offset, offset + size);
    offset += size;
    const expected = job.expected[i] ?? BLOCK_SIZE;
    try {
      const block = job.deflated ? inflateBlock(input, expected) : input;
      hashes.set(createHash(job.algorithm).update(block).digest(), i * digestLength);
      crc = zlib.crc32(block, crc);
      outLength += block.length;
      lengths.push(block.length);
      errors.push(null);
    } catch (error) {
      lengths.push(-1);
      errors.push(describe(error, expected));
    }
  });
  return { kind: 'blocks', id: job.id, hashes, lengths, errors, crc, outLength };
}

/**
 * A fresh inflater per block proves the block decodes alone. A sync-flush finish accepts blocks that end
 * at a full flush (no end-of-stream marker, §3); the output cap makes a bomb fail at expected + 1 bytes.
 */
function inflateBlock(input: Uint8Array, expected: number): Buffer {
  return zlib.inflateRawSync(input, {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    maxOutputLength: Math.max(expected, 1),
  });
}

function describe(error: unknown, expected: number): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
    return `inflates to more than ${expected} bytes`;
  }
  return `does not inflate on its own: ${error instanceof Error ? error.message : String(error)}`;
}

interface StreamState {
  hasher: BlockHasher;
  inflater: zlib.InflateRaw | null;
  chain: Promise<void>;
  failure: string | null;
}

const streams = new Map<number, StreamState>();

async function runStream(job: StreamJob): Promise<StreamResult> {
  let state = streams.get(job.streamId);
  if (!state) {
    state = { hasher: new BlockHasher(job.algorithm, job.declaredSize), inflater: null, chain: Promise.resolve(), failure: null };
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
  const { hashes, count } = current.hasher.takeCompleted();
  if (!job.final && current.failure === null) return { kind: 'stream', id: job.id, hashes, blockCount: count };
  streams.delete(job.streamId);
  if (current.failure !== null) {
    return { kind: 'stream', id: job.id, hashes, blockCount: count, error: current.failure };
  }
  return { kind: 'stream', id: job.id, hashes, blockCount: count, crc: current.hasher.crc, outLength: current.hasher.length };
}

async function feedStream(state: StreamState, job: StreamJob): Promise<void> {
  if (state.failure !== null) return;
  if (job.final && state.inflater === null && job.declaredSize <= WHOLE_STREAM_LIMIT) {
    const output = zlib.inflateRawSync(job.data, {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      maxOutputLength: Math.max(job.declaredSize, 1),
    });
    state.hasher.push(output);
    state.hasher.finish();
    return;
  }
  state.inflater ??= createStreamInflater(state);
  const inflater = state.inflater;
  await new Promise<void>((resolve, reject) => {
    inflater.once('error', reject);
    inflater.write(job.data);
    const done = () => {
      inflater.off('error', reject);
      resolve();
    };
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

/** Cuts a byte stream into 64 KiB blocks and hashes each, holding at most one block. */
class BlockHasher {
  crc = 0;
  length = 0;
  private readonly pending = Buffer.allocUnsafe(BLOCK_SIZE);
  private fill = 0;
  private completed: Buffer[] = [];

  constructor(
    private readonly algorithm: HashAlgorithm,
    private readonly declaredSize: number,
  ) {}

  push(chunk: Uint8Array): void {
    this.length += chunk.length;
    if (this.length > this.declaredSize) throw new Error(`inflates past its declared ${this.declaredSize} bytes`);
    this.crc = zlib.crc32(chunk, this.crc);
    let offset = 0;
    if (this.fill === 0) {
      // Fast path: hash whole blocks straight from the chunk, no copy.
      while (chunk.length - offset >= BLOCK_SIZE) {
        this.completed.push(createHash(this.algorithm).update(chunk.subarray(offset, offset + BLOCK_SIZE)).digest());
        offset += BLOCK_SIZE;
      }
    }
    while (offset < chunk.length) {
      const take = Math.min(BLOCK_SIZE - this.fill, chunk.length - offset);
      this.pending.set(chunk.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      if (this.fill === BLOCK_SIZE) this.flushPending();
    }
  }

  finish(): void {
    if (this.fill > 0) this.flushPending();
  }

  takeCompleted(): { hashes: Uint8Array; count: number } {
    const count = this.completed.length;
    const hashes = new Uint8Array(Buffer.concat(this.completed));
    this.completed = [];
    return { hashes, count };
  }

  private flushPending(): void {
    this.completed.push(createHash(this.algorithm).update(this.pending.subarray(0, this.fill)).digest());
    this.fill = 0;
  }
}
