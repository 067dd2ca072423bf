import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { defaultThreadCount, ErrorCode, MAX_WORKER_THREADS, WorkerPool } from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { asyncCodeOf } from '../helpers/error-code.js';

/** One 64 KiB block to deflate: the smallest real job. */
function compressJob() {
  return {
    kind: 'compress',
    algorithm: 'sha256',
    level: 6,
    data: new Uint8Array(65_536).fill(7),
    segments: [{ offset: 0, length: 65_536, mode: 'deflate' }],
    output: new Uint8Array(70_000),
  } as const;
}

describe('WorkerPool: a job a worker cannot do (found by review)', () => {
  it('fails that job only: the thread lives on and the next jobs on the pool are done', async () => {
    const pool = new WorkerPool(1);
    try {
      // An algorithm the worker has no hash for: its hashing throws inside the thread.
      const bad = { ...compressJob(), algorithm: 'md5' } as unknown as ReturnType<typeof compressJob>;
      await expect(pool.run(() => bad, 65_536)).rejects.toMatchObject({
        code: ErrorCode.WORKER_FAILED,
        message: expect.stringMatching(/^A block worker could not do a job: /),
      });
      for (let i = 0; i < 3; i++) {
        const result = await pool.run(() => compressJob(), 65_536);
        expect(result.kind).toBe('compress');
      }
      expect(pool.started).toBe(1);
    } finally {
      await pool.destroy();
    }
  });
});

describe('WorkerPool and the process', () => {
  it('refuses a thread count it could not start (0, a fraction, more than MAX_WORKER_THREADS)', () => {
    for (const threads of [0, 1.5, MAX_WORKER_THREADS + 1]) {
      expect(() => new WorkerPool(threads)).toThrow(expect.objectContaining({ code: ErrorCode.USAGE }));
    }
  });

  it('an idle pool nobody destroyed does not keep the process alive (found by review)', () => {
    // A 'message' listener added after unref() took the thread's port back: the process never ended.
    const opc = new URL('../../packages/opc/dist/index.js', import.meta.url).href;
    const script = `const { WorkerPool } = await import(${JSON.stringify(opc)}); new WorkerPool(2);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(run.signal).toBeNull(); // not killed by the timeout
    expect(run.status).toBe(0);
  });
});

describe('WorkerPool size', () => {
  it('starts a worker per core at once, and more than that only when all are full (found by review)', async () => {
    const cores = defaultThreadCount();
    const pool = new WorkerPool(cores + 2);
    try {
      expect(pool.started).toBe(cores);
      // One job at a time never fills a worker: no more start (256 threads for 19 blocks took 9 s).
      for (let i = 0; i < 4; i++) await pool.run(() => compressJob(), 65_536);
      expect(pool.started).toBe(cores);
      // Jobs whose bytes are still being read hold their slots: once every worker has JOBS_PER_WORKER of
      // them, the next job starts an extra worker, up to the count asked for and no more.
      let release: () => void = () => {};
      const reading = new Promise<void>((resolve) => {
        release = resolve;
      });
      const jobs: Promise<unknown>[] = [];
      for (let i = 0; i < 4 * (cores + 2); i++) {
        jobs.push(
          pool.run(async () => {
            await reading;
            return compressJob();
          }, 65_536),
        );
        await new Promise((resolve) => setImmediate(resolve)); // the job has taken its slot
        if (i < 2 * cores) expect(pool.started).toBe(cores);
      }
      expect(pool.started).toBe(cores + 2);
      release();
      await Promise.all(jobs);
    } finally {
      await pool.destroy();
    }
  });
});

describe('WorkerPool.destroy', () => {
  it('fails a producer waiting for room while other jobs are still being read, instead of leaving it waiting', async () => {
    const pool = new WorkerPool(1);
    let finishReading: () => void = () => {};
    const reading = new Promise<void>((resolve) => {
      finishReading = resolve;
    });
    // Two jobs whose bytes are still being read take the worker's two slots; a third must wait for room.
    const slow = [1, 2].map(() =>
      pool.run(async () => {
        await reading;
        return compressJob();
      }, 65_536),
    );
    for (const job of slow) job.catch(() => {});
    await new Promise((resolve) => setImmediate(resolve)); // both have taken their slot
    const waiting = pool.run(() => compressJob(), 65_536);
    waiting.catch(() => {});
    await pool.destroy();
    expect(await asyncCodeOf(waiting)).toBe(ErrorCode.WORKER_FAILED);
    finishReading();
    for (const job of slow) expect(await asyncCodeOf(job)).toBe(ErrorCode.WORKER_FAILED);
  });

  it('a worker asked to stop answers the job posted before, then exits by itself (code 0, not terminated)', async () => {
    const worker = new Worker(new URL('../../packages/opc/dist/blocks/block-worker.js', import.meta.url));
    const answers: unknown[] = [];
    worker.on('message', (answer) => answers.push(answer));
    const job = { ...compressJob(), id: 1 };
    worker.postMessage(job, [job.data.buffer, job.output.buffer]);
    worker.postMessage({ kind: 'stop' });
    const code = await new Promise<number>((resolve) => worker.once('exit', resolve));
    expect(code).toBe(0);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ kind: 'compress', id: 1 });
  });

  it('with jobs in flight every job settles, and a new pool works after', async () => {
    for (let round = 0; round < 5; round++) {
      const pool = new WorkerPool(2);
      const jobs = Array.from({ length: 4 }, () => pool.run(() => compressJob(), 65_536));
      for (const job of jobs) job.catch(() => {});
      await pool.destroy();
      for (const job of jobs) {
        const code = await asyncCodeOf(job);
        // A job answered before the stop is fine; none may be left unsettled.
        expect(['no error', ErrorCode.WORKER_FAILED]).toContain(code);
      }
    }
    const pool = new WorkerPool(2);
    try {
      const result = await pool.run(() => compressJob(), 65_536);
      expect(result.kind).toBe('compress');
    } finally {
      await pool.destroy();
    }
  });
});
