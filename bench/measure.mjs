// Timing and peak RSS, one fresh process per run so every figure belongs to one contender alone.
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiB } from './units.mjs';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'child.mjs');
const RUN_TIMEOUT_MS = 15 * 60 * 1000;

function collect(child) {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * One run of a Node contender in `node bench/child.mjs <name> <...paths>`: seconds and bytes as the child
 * timed them, peak RSS from the child's own `process.resourceUsage().maxRSS` (main thread and workers
 * together).
 */
export async function runNodeContender(name, ...paths) {
  const child = spawn(process.execPath, [CHILD, name, ...paths], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { code, signal, stdout, stderr } = await collect(child);
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) {
    return {
      status: 'failed',
      reason: `child exited ${signal ?? code} without a result\n${stderr.slice(-2000)}`,
    };
  }
  const result = JSON.parse(line.slice('BENCH_RESULT '.length));
  if (result.status === 'ok') result.rssMB = result.maxRssKiB / 1024;
  return result;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findBinary(name) {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  return null;
}

/** Peak RSS of a running process from /proc (VmHWM is a high-water mark, so the last good read wins). */
function pollPeakRss(pid) {
  let peakKiB = 0;
  const read = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
    } catch {}
  };
  read();
  const timer = setInterval(read, 5);
  return () => {
    clearInterval(timer);
    return peakKiB || null;
  };
}

/**
 * One run of a native command (in `cwd` when given). Seconds from spawn to exit. Peak RSS and CPU seconds
 * from GNU `/usr/bin/time` when present, else peak RSS by polling /proc/<pid>/status (and no CPU).
 */
export async function runNative(command, args, { cwd } = {}) {
  const timeBinary = executable('/usr/bin/time') ? '/usr/bin/time' : null;
  const rssFile = join(tmpdir(), `appv-bench-rss-${process.pid}-${Date.now()}`);
  // Peak RSS, then user and system CPU seconds.
  const argv = timeBinary
    ? [timeBinary, '-f', '%M %U %S', '-o', rssFile, command, ...args]
    : [command, ...args];
  const started = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const stopPolling = timeBinary ? null : pollPeakRss(child.pid);
  const { code, signal, stdout, stderr } = await collect(child);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let peakKiB = stopPolling?.() ?? null;
  let cpuSeconds = null;
  if (timeBinary) {
    try {
      const [rss, user, system] = readFileSync(rssFile, 'utf8')
        .trim()
        .split('\n')
        .pop()
        .split(' ')
        .map(Number);
      peakKiB = rss || null;
      cpuSeconds = Number.isFinite(user + system) ? user + system : null;
    } catch {}
    rmSync(rssFile, { force: true });
  }
  if (code !== 0) {
    const output = `${stdout}${stderr}`.replace(/Command exited with non-zero status \d+\n?/, '');
    return { status: 'failed', reason: `${command} exited ${signal ?? code}: ${output.slice(-1000)}` };
  }
  return { status: 'ok', seconds, rssMB: peakKiB === null ? null : peakKiB / 1024, cpuSeconds };
}

/** `once` for a native command found on PATH (the first of `names`), or a "not available" result. */
export function nativeOnce(names, args, options) {
  const binary = names.map(findBinary).find(Boolean);
  if (!binary) return async () => ({ status: 'unavailable', reason: `no ${names.join(' or ')} on PATH` });
  return () => runNative(binary, args, options);
}

/** Runs `once()` `runs` times; returns the fastest ok run with the highest peak RSS seen, or the first non-ok. */
export async function best(runs, once, onRun) {
  let fastest = null;
  let peak = null;
  for (let i = 0; i < runs; i++) {
    const result = await once();
    onRun?.(result, i);
    if (result.status !== 'ok') return result;
    if (result.rssMB != null) peak = Math.max(peak ?? 0, result.rssMB);
    if (!fastest || result.seconds < fastest.seconds) fastest = result;
  }
  return { ...fastest, rssMB: peak, runs };
}

function describeRun(label, result, i) {
  if (result.status !== 'ok')
    return `  ${label}: ${result.status === 'unavailable' ? 'not available' : 'FAILED'}`;
  const rss = result.rssMB == null ? '' : `, peak RSS ${result.rssMB.toFixed(0)} MB`;
  return `  ${label} run ${i + 1}: ${result.seconds.toFixed(2)} s${rss}`;
}

/**
 * Measures the contenders `{ id, label, once, ...facts }` one after the other, `runs` times each (see
 * best), logging every run; returns one row per contender: its facts and its best result.
 */
export async function measureAll(contenders, runs, log) {
  const rows = [];
  for (const { once, ...facts } of contenders) {
    const result = await best(runs, once, (r, i) => log(describeRun(facts.label, r, i)));
    rows.push({ ...facts, ...result });
  }
  return rows;
}

/** Reads whole files once so every contender starts from a warm page cache. */
export function warm(paths) {
  const buffer = Buffer.allocUnsafe(4 * MiB);
  for (const path of paths) {
    const fd = openSync(path, 'r');
    try {
      while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
}

/** In-process timing of `fn`, best of `times`: the first pass also pays for page-faulting fresh buffers. */
export function fastestOf(times, fn) {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return fastest;
}
