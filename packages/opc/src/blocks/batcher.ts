import { JOB_BYTES } from '../limits.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import type { BatchResult, BatchTask, BlocksOutcome, HashAlgorithm, StreamOutcome } from './block-job.js';
import type { BufferPool } from './buffer-pool.js';
import { readJobBytes } from './job-bytes.js';
import type { WorkerPool } from './worker-pool.js';

/** A task plus where its outcome goes. Positions are absolute offsets in the package. */
export interface PlannedTask {
  readonly start: number;
  readonly end: number;
  /** The task with offsets relative to `start`; the batcher rebases them onto its read. */
  readonly task: BatchTask;
  readonly deliver: (outcome: BlocksOutcome | StreamOutcome) => void;
}

/**
 * Bytes between two tasks (local headers, descriptors) read rather than starting a new batch. Larger gaps
 * (a big item handled elsewhere) end the batch.
 */
const MAX_GAP = 64 * 1024;

/**
 * Packs neighbouring tasks into one read and one worker message (most items of a real package are small:
 * a read and a round trip per item would dominate), flushing at JOB_BYTES so memory stays bounded.
 */
export class Batcher {
  private tasks: PlannedTask[] = [];
  private readonly inFlight: Promise<void>[] = [];

  constructor(
    private readonly source: RandomAccessSource,
    private readonly pool: WorkerPool,
    private readonly buffers: BufferPool,
    private readonly algorithm: HashAlgorithm,
    private readonly signal: AbortSignal | undefined,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  async add(planned: PlannedTask): Promise<void> {
    const first = this.tasks[0];
    const last = this.tasks.at(-1);
    if (
      first &&
      last &&
      (planned.end - first.start > JOB_BYTES ||
        planned.start - last.end > MAX_GAP ||
        planned.start < last.end)
    ) {
      await this.flush();
    }
    this.tasks.push(planned);
  }

  async flush(): Promise<void> {
    const tasks = this.tasks;
    this.tasks = [];
    const first = tasks[0];
    const last = tasks.at(-1);
    if (!first || !last) return;
    const rebased = tasks.map((t) => ({ ...t.task, offset: t.task.offset + t.start - first.start }));
    let dispatched: () => void = () => {};
    const sent = new Promise<void>((resolve) => {
      dispatched = resolve;
    });
    const length = last.end - first.start;
    const make = async () => {
      const data = await readJobBytes(this.source, first.start, length, this.buffers, this.signal);
      dispatched();
      return { kind: 'batch' as const, algorithm: this.algorithm, data, tasks: rebased };
    };
    const run = this.pool.run(make, length).then((result) => {
      const batch = result as BatchResult;
      this.buffers.give(batch.input);
      batch.outcomes.forEach((outcome, i) => {
        tasks[i]?.deliver(outcome);
      });
    });
    run.catch((error: unknown) => {
      dispatched();
      this.onFailure(error);
    });
    this.inFlight.push(run.catch(() => {}));
    // Wait until a worker took the batch (its bytes are read): the planner runs no further ahead than that.
    await sent;
  }

  /** Flushes what is pending and waits for every batch sent. */
  async drain(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight);
  }
}
