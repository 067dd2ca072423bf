import type { WorkerPool } from './worker-pool.js';

/**
 * The large streams being fed to workers in the background (digest-planner.ts), at most one per worker.
 * A stream's pieces must all go to one worker, in order, each waiting for room there; fed from the planning
 * loop itself, that wait held up every item after it, so the other workers ran dry while one inflated a
 * big item (on the bench's set one worker idled for up to 400 ms of a 1.2 s read). In the background, the
 * items after a stream go to the other workers meanwhile.
 */
export class StreamFeeds {
  private readonly active = new Map<number, Promise<void>>();

  constructor(private readonly pool: WorkerPool) {}

  /**
   * Waits until some started worker has no stream being fed; answers the least busy such worker. Counted
   * against the workers started, not those the pool may start (a stream's pieces go to a worker by
   * affinity, which starts none): with more allowed than started, a busy worker was answered and its feed
   * record overwritten (found by review).
   */
  async freeWorker(): Promise<number> {
    while (this.active.size >= this.pool.started) await Promise.race(this.active.values());
    return this.pool.leastBusy((worker) => !this.active.has(worker));
  }

  /** Records that `feeding` feeds a stream to `worker` until it settles (it must not reject). */
  start(worker: number, feeding: Promise<void>): void {
    this.active.set(
      worker,
      feeding.finally(() => this.active.delete(worker)),
    );
  }

  /** Settles once no stream is being fed (before the pool they feed is destroyed). */
  async settled(): Promise<void> {
    while (this.active.size > 0) await Promise.all(this.active.values());
  }
}
