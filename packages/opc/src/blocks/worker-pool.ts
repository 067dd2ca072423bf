import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppvError, ErrorCode } from '../errors.js';
import {
  JOBS_PER_WORKER,
  MAX_WORKER_THREADS,
  WORKER_BYTES_IN_FLIGHT,
  WORKER_STOP_GRACE_MS,
} from '../limits.js';
import { quoted } from '../printable-text.js';
import type { StopMessage, WorkerAnswer, WorkerJob, WorkerResult } from './block-job.js';

/** A job before the pool numbers it (Omit distributed over the union). */
export type JobInput = WorkerJob extends infer J ? (J extends WorkerJob ? Omit<J, 'id'> : never) : never;

interface Slot {
  readonly worker: Worker;
  /** Jobs whose slot is taken while their bytes are being read. */
  reserved: number;
  readonly pending: Map<
    number,
    { resolve: (r: WorkerResult) => void; reject: (e: AppvError) => void; bytes: number }
  >;
  /** Compressed bytes read for this worker and not yet answered. */
  bytes: number;
  /** Resolves when the thread has exited, for whatever reason. */
  readonly exited: Promise<void>;
  /** Asked to stop: it keeps the process alive until it has exited. */
  stopping: boolean;
}

/** Every core by default: hashing and inflating are the work (DEVELOPERS.md: use both cores). */
export function defaultThreadCount(): number {
  return Math.min(MAX_WORKER_THREADS, Math.max(1, availableParallelism()));
}

/**
 * Up to `threads` block workers with a bounded number of jobs in flight each. `run` waits for room, so a
 * producer that awaits it can never queue more than threads × JOBS_PER_WORKER jobs: that is what keeps
 * memory flat whatever the package size. As many workers as there are cores start at once (they load their
 * modules while the caller lists or scans); any more asked for start only when every running one is full,
 * so `--threads 256` on a package of a few blocks does not start 256 threads (9 s, found by review).
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiters: (() => void)[] = [];
  private nextId = 1;
  private failure: AppvError | null = null;

  constructor(readonly threads = defaultThreadCount()) {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WORKER_THREADS) {
      throw new AppvError(
        ErrorCode.USAGE,
        `threads must be a whole number from 1 to ${MAX_WORKER_THREADS}, not ${quoted(threads)}`,
      );
    }
    const eager = Math.min(threads, defaultThreadCount());
    for (let i = 0; i < eager; i++) this.slots.push(this.spawn());
  }

  /** Workers started so far (at most `threads`). */
  get started(): number {
    return this.slots.length;
  }

  /**
   * Runs a job, on worker `affinity` when given (the pieces of one stream must share a worker). The slot is
   * reserved before `make` runs, so the caller reads the job's bytes only once a worker has room for them:
   * that is the backpressure that bounds memory. The data's whole buffer is transferred (moved, not copied),
   * so it must be memory the caller owns; the worker hands it back with the result for reuse.
   */
  async run(
    make: () => JobInput | Promise<JobInput>,
    bytes: number,
    affinity?: number,
  ): Promise<WorkerResult> {
    const slot = await this.acquire(bytes, affinity);
    slot.reserved++;
    slot.bytes += bytes;
    let job: JobInput;
    try {
      job = await make();
    } catch (error) {
      slot.bytes -= bytes;
      throw error;
    } finally {
      slot.reserved--;
    }
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const full = { ...job, id, data: transferable(job.data) } as WorkerJob;
    const transfer = [full.data.buffer as ArrayBuffer];
    if (full.kind === 'compress') transfer.push(full.output.buffer as ArrayBuffer);
    return new Promise<WorkerResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, bytes });
      slot.worker.ref(); // keep the process alive only while a worker owes us a result
      slot.worker.postMessage(full, transfer);
    });
  }

  /** Index of the least busy worker (among those `eligible` allows), for a producer choosing where a job goes. */
  leastBusy(eligible: (worker: number) => boolean = () => true): number {
    let best = -1;
    this.slots.forEach((slot, i) => {
      if (eligible(i) && (best < 0 || load(slot) < load(this.slots[best]))) best = i;
    });
    return best < 0 ? this.leastBusy() : best; // none eligible: any worker rather than none
  }

  /**
   * Stops every worker; jobs still owed, and producers waiting for room, get an error rather than waiting
   * forever. Each worker is asked to exit between jobs, not terminated: terminating a thread while it makes
   * a zlib stream (one per block when deflating) aborts the whole process, because Node's CompressionStream
   * asserts "close before init" when it is cleaned up uninitialised. A worker first finishes the jobs already
   * posted to it (at most JOBS_PER_WORKER, whose answers are then dropped), so stopping takes up to that long.
   * Only a worker that does not exit within WORKER_STOP_GRACE_MS is terminated.
   */
  async destroy(): Promise<void> {
    this.fail(new AppvError(ErrorCode.WORKER_FAILED, 'The block workers were stopped'));
    await Promise.all(this.slots.map((slot) => stop(slot)));
  }

  /**
   * A slot with room: fewer than JOBS_PER_WORKER jobs and WORKER_BYTES_IN_FLIGHT bytes in flight. An idle
   * worker takes any job, however large, so one big item never waits forever.
   */
  private async acquire(bytes: number, affinity?: number): Promise<Slot> {
    for (;;) {
      if (this.failure) throw this.failure;
      const slot =
        affinity === undefined ? this.slots[this.leastBusy()] : this.slots[affinity % this.slots.length];
      const room =
        slot !== undefined && load(slot) < JOBS_PER_WORKER && slot.bytes + bytes <= WORKER_BYTES_IN_FLIGHT;
      if (slot && (load(slot) === 0 || room)) return slot;
      if (affinity === undefined && this.slots.length < this.threads) {
        const started = this.spawn();
        this.slots.push(started);
        return started;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./block-worker.js', import.meta.url));
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const slot: Slot = { worker, reserved: 0, bytes: 0, pending: new Map(), exited, stopping: false };
    worker.on('message', (answer: WorkerAnswer) => {
      const entry = slot.pending.get(answer.id);
      slot.pending.delete(answer.id);
      slot.bytes -= entry?.bytes ?? 0;
      if (slot.pending.size === 0 && !slot.stopping) worker.unref();
      // A failed job fails its caller only: the thread lives on and the pool keeps working.
      if (answer.kind === 'failed')
        entry?.reject(
          new AppvError(ErrorCode.WORKER_FAILED, `A block worker could not do a job: ${answer.message}`),
        );
      else entry?.resolve(answer);
      this.wakeAll();
    });
    worker.on('error', (error) =>
      this.fail(
        new AppvError(ErrorCode.WORKER_FAILED, `A block worker failed: ${error.message}`, { cause: error }),
      ),
    );
    worker.on('exit', (code) => {
      if (slot.pending.size > 0)
        this.fail(
          new AppvError(ErrorCode.WORKER_FAILED, `A block worker exited (code ${code}) with jobs pending`),
        );
    });
    // Only now: a 'message' listener added after unref() refs the thread's port again, and an idle pool
    // nobody destroyed (a writer whose first addPart was refused, then dropped) kept the process alive.
    worker.unref();
    return slot;
  }

  private fail(error: AppvError): void {
    this.failure ??= error;
    for (const slot of this.slots) {
      for (const entry of slot.pending.values()) entry.reject(error);
      slot.pending.clear();
    }
    this.wakeAll();
  }

  private wakeAll(): void {
    // Wake everyone: a waiter with an affinity may not fit the slot that just freed, and waiters re-check.
    const waiters = this.waiters.splice(0);
    for (const wake of waiters) wake();
  }
}

/** Asks a worker to exit between jobs and waits until it has (see `destroy`). */
async function stop(slot: Slot): Promise<void> {
  const { worker } = slot;
  slot.stopping = true;
  worker.ref(); // the process must not end while we wait for the thread to
  const overdue = setTimeout(() => void worker.terminate(), WORKER_STOP_GRACE_MS);
  try {
    worker.postMessage({ kind: 'stop' } satisfies StopMessage);
    await slot.exited;
  } finally {
    clearTimeout(overdue);
  }
}

function load(slot: Slot | undefined): number {
  return slot ? slot.pending.size + slot.reserved : Number.POSITIVE_INFINITY;
}

/** Job memory is the caller's to give (job-bytes.ts, the writer's pools); shared memory cannot move, so it is copied. */
function transferable(data: Uint8Array): Uint8Array {
  return data.buffer instanceof ArrayBuffer ? data : new Uint8Array(data);
}
