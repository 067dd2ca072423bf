// How a machine limit is run (limit.mjs for inflate, pack-limit.mjs for deflate): the sample is taken from
// the set, held in one SharedArrayBuffer, and N = os.availableParallelism() worker threads each do the
// limit's work over all of it, started together once every one is ready. No I/O, no messaging while timed.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { MiB } from './units.mjs';

/**
 * Every `stride`-th item when their bytes (`sizeOf`) pass `maxBytes`, so a large set still fits in memory
 * and its mix of item sizes is kept.
 */
export function strideSample(items, sizeOf, maxBytes) {
  const total = items.reduce((sum, item) => sum + sizeOf(item), 0);
  const stride = Math.max(1, Math.ceil(total / maxBytes));
  return { picked: items.filter((_, i) => i % stride === 0), strided: stride > 1 };
}

/**
 * Starts the threads: each runs `work.name` exported by the module at `work.url` as
 * `(shared, item) => bytes handled` over every item, `passes` times, where `passes` makes each thread handle
 * at least `minBytesPerThread` (so a small set still gives a long enough timing). Resolves once all are ready.
 * `facts` (how the sample was taken) go into the result's detail.
 */
export async function startLimitThreads(work, shared, items, minBytesPerThread, facts = {}) {
  const threads = os.availableParallelism();
  const sampleBytes = items.reduce((sum, item) => sum + item.size, 0);
  const passes = Math.max(1, Math.ceil(minBytesPerThread / Math.max(1, sampleBytes)));
  const url = new URL('./limit-worker.mjs', import.meta.url);
  const workers = Array.from({ length: threads }, (_, index) => {
    // Each thread starts at a different item so they do not move in lockstep.
    const first = Math.floor((index * items.length) / threads);
    const workerData = { module: work.url.href, name: work.name, shared, items, first, passes };
    return new Worker(url, { workerData });
  });
  const reply = (worker) =>
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  await Promise.all(workers.map(reply));
  return {
    /** One timed run: `{ bytes, seconds, detail }`, the figure being bytes / seconds. Only once per start. */
    async run() {
      const started = process.hrtime.bigint();
      const done = workers.map((worker) => {
        const result = reply(worker);
        worker.postMessage('go');
        return result;
      });
      const results = await Promise.all(done);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      for (const worker of workers) await worker.terminate();
      const bytes = results.reduce((sum, r) => sum + r.bytes, 0);
      const perThreadMBps = Math.round(bytes / MiB / seconds / threads);
      const detail = { ...facts, threads, passes, sampleEntries: items.length, perThreadMBps };
      return { bytes, seconds, detail };
    },
  };
}
