// `pnpm bench`: reads one large ZIP with ours, yauzl, unzip, and measures the machine limit. See README.md.
// Env: BENCH_SET_MB (default 420), BENCH_RUNS (default 2), BENCH_THREADS (ours), BENCH_ONLY (ids, comma
// separated). Flag: --json (stdout gets JSON only; progress always goes to stderr).
import { closeSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import { relative } from 'node:path';
import { DEFAULT_SET_MB, ensureDataSet } from './dataset.mjs';
import { best, findBinary, runNative, runNodeContender } from './measure.mjs';
import { notes, summarize, table, verdict } from './report.mjs';
import { MiB, mb } from './units.mjs';

const json = process.argv.includes('--json');
const setMB = Number(process.env.BENCH_SET_MB || DEFAULT_SET_MB);
const runs = Math.max(1, Number(process.env.BENCH_RUNS || 2));
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const log = (message) => process.stderr.write(`${message}\n`);

/** Reads the whole file once so every contender starts from a warm page cache. */
function warm(path) {
  const buffer = Buffer.allocUnsafe(4 * MiB);
  const fd = openSync(path, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

function contenders(zipPath) {
  const unzip = findBinary('unzip');
  return [
    { id: 'ours', label: 'ours (digestPackage)', once: () => runNodeContender('ours', zipPath) },
    { id: 'yauzl', label: 'yauzl, every entry', once: () => runNodeContender('yauzl', zipPath) },
    {
      id: 'yauzl-hash',
      label: 'yauzl + sha256 + crc32',
      once: () => runNodeContender('yauzl-hash', zipPath),
    },
    {
      id: 'unzip',
      label: 'unzip -t -qq',
      once: unzip
        ? () => runNative(unzip, ['-t', '-qq', zipPath])
        : async () => ({ status: 'unavailable', reason: 'no unzip on PATH' }),
    },
    {
      id: 'limit',
      label: `machine limit (${os.availableParallelism()} threads)`,
      once: () => runNodeContender('limit', zipPath),
    },
  ].filter((c) => !only || only.has(c.id));
}

function describeRun(label, result, i) {
  if (result.status !== 'ok')
    return `  ${label}: ${result.status === 'unavailable' ? 'not available' : 'FAILED'}`;
  const rss = result.rssMB == null ? '' : `, peak RSS ${result.rssMB.toFixed(0)} MB`;
  return `  ${label} run ${i + 1}: ${result.seconds.toFixed(2)} s${rss}`;
}

log(
  `appv read bench: Node ${process.version}, ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? '?'}`,
);
const [load1] = os.loadavg();
if (load1 > 0.5 * os.availableParallelism()) {
  log(
    `warning: load average ${load1.toFixed(2)} before starting: other work on this machine will skew the figures`,
  );
}
const set = await ensureDataSet(setMB, log);
log(
  `data set: ${relative(process.cwd(), set.zipPath)}, ${set.reused ? 'reused' : 'built'}: ${set.files} files, ` +
    `${mb(set.inputBytes).toFixed(0)} MB input -> ${mb(set.zipBytes).toFixed(0)} MB zip ` +
    `(${((100 * set.zipBytes) / set.inputBytes).toFixed(0)}%), built in ${set.buildSeconds.toFixed(1)} s; ` +
    `${((100 * set.smallFileBytes) / set.inputBytes).toFixed(0)}% of bytes in files < 64 KiB, ` +
    `largest ${mb(set.largestFile).toFixed(1)} MB`,
);
warm(set.zipPath);
log(`page cache warmed; ${runs} run(s) per contender, best kept (peak RSS: highest seen)`);

const rows = [];
for (const c of contenders(set.zipPath)) {
  const result = await best(runs, c.once, (r, i) => log(describeRun(c.label, r, i)));
  if (result.status === 'unavailable' && c.id === 'ours') log('ours: not available');
  rows.push({ id: c.id, label: c.label, ...result });
}

const summary = summarize(rows, set.inputBytes);
if (json) {
  const { zipPath, ...dataset } = set;
  const output = {
    machine: { node: process.version, cores: os.availableParallelism(), cpu: os.cpus()[0]?.model, load1 },
    dataset: { ...dataset, zip: relative(process.cwd(), zipPath) },
    runs,
    ...summary,
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
} else {
  const footnotes = notes(summary);
  process.stdout.write(
    `\n${table(summary)}\n${footnotes ? `${footnotes}\n` : ''}\n${verdict(summary)}\n` +
      `(MB = MiB; MB/s = uncompressed bytes of the set per second)\n`,
  );
}
