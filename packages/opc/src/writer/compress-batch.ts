import type { CompressResult, CompressSegment, HashAlgorithm, SegmentMode } from '../blocks/block-job.js';
import type { BufferPool } from '../blocks/buffer-pool.js';
import type { WorkerPool } from '../blocks/worker-pool.js';
import type { Piece } from './pending-part.js';

interface Waiting {
  readonly offset: number;
  readonly length: number;
  readonly mode: SegmentMode;
  readonly resolve: (piece: Piece) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers the bytes of small parts into one worker job (one read buffer, one message) and hands each part
 * its piece when the job comes back: for a package of thousands of small files, messaging per file would
 * cost more than compressing it.
 */
export class CompressBatch {
  private data: Uint8Array;
  private fill = 0;
  private waiting: Waiting[] = [];

  constructor(
    private readonly pool: WorkerPool,
    private readonly buffers: JobBuffers,
    private readonly algorithm: HashAlgorithm,
    private readonly level: number,
  ) {
    this.data = buffers.inputs.take();
  }

  get room(): number {
    return this.data.length - this.fill;
  }

  /** Where the next part's bytes go (up to `room` bytes); `add` must follow before the next call. */
  slot(): { buffer: Uint8Array; at: number } {
    return { buffer: this.data, at: this.fill };
  }

  /** Takes the `length` bytes just placed at the reserved position as one part's single piece. */
  add(length: number, mode: SegmentMode): Promise<Piece> {
    const offset = this.fill;
    this.fill += length;
    return new Promise<Piece>((resolve, reject) =>
      this.waiting.push({ offset, length, mode, resolve, reject }),
    );
  }

  /**
   * Fails the parts gathered and not yet sent: after a failure nothing sends them, and the writing loop
   * waiting on the first of them would wait forever (an abort with it).
   */
  abandon(error: unknown): void {
    const waiting = this.waiting;
    this.waiting = [];
    this.fill = 0;
    for (const w of waiting) w.reject(error);
  }

  /** Sends the gathered parts to a worker; resolves once a worker has taken them (not when they are done). */
  async submit(): Promise<void> {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    const data = this.data;
    this.data = this.buffers.inputs.take();
    this.fill = 0;
    this.waiting = [];
    const segments = waiting.map(({ offset, length, mode }) => ({ offset, length, mode }));
    const done = submitCompress(this.pool, this.buffers, this.algorithm, this.level, data, segments);
    done.result.then(
      (result) => {
        const release = releaser(this.buffers, result, waiting.length);
        for (const [i, w] of waiting.entries()) w.resolve(pieceOf(result, i, release));
      },
      (error: unknown) => {
        for (const w of waiting) w.reject(error);
      },
    );
    await done.taken;
  }
}

/**
 * Runs one compress job. `taken` settles when a worker slot has room for it (the backpressure a producer
 * waits on), `result` when the worker answers.
 */
export function submitCompress(
  pool: WorkerPool,
  buffers: JobBuffers,
  algorithm: HashAlgorithm,
  level: number,
  data: Uint8Array,
  segments: readonly CompressSegment[],
): { taken: Promise<void>; result: Promise<CompressResult> } {
  let onTaken: () => void = () => {};
  const taken = new Promise<void>((resolve) => {
    onTaken = resolve;
  });
  const result = pool
    .run(
      () => {
        onTaken();
        return { kind: 'compress', algorithm, level, data, segments, output: buffers.outputs.take() };
      },
      segments.reduce((sum, s) => sum + s.length, 0),
    )
    .then((answer) => answer as CompressResult);
  result.catch(() => {});
  return { taken: Promise.race([taken, result.then(() => undefined)]), result };
}

/** The writer's two buffer pools: job inputs, and compressed outputs (a little larger: deflate may grow). */
export interface JobBuffers {
  readonly inputs: BufferPool;
  readonly outputs: BufferPool;
}

/** Returns a job's buffers to their pools once all `pieces` of it are written. */
export function releaser(buffers: JobBuffers, result: CompressResult, pieces: number): () => void {
  let remaining = pieces;
  return () => {
    if (--remaining !== 0) return;
    buffers.inputs.give(result.input);
    buffers.outputs.give(result.output);
  };
}

/** Segment `index` of a job's answer as a piece to write. */
export function pieceOf(result: CompressResult, index: number, release: () => void): Piece {
  const outcome = result.outcomes[index];
  if (!outcome) throw new RangeError(`compress result has no segment ${index}`);
  const from = outcome.stored ? result.input : result.output;
  const bytes = from.subarray(outcome.start, outcome.start + outcome.length);
  return {
    stored: outcome.stored,
    bytes,
    length: outcome.inputLength,
    sizes: outcome.sizes,
    hashes: outcome.hashes,
    crc: outcome.crc,
    input: result.input.subarray(outcome.inputStart, outcome.inputStart + outcome.inputLength),
    release,
  };
}
