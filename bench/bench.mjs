// `pnpm bench`: reads one large ZIP (read-bench.mjs), then packs the same set and verifies the package
// (pack-bench.mjs), each next to this machine's limit for the work. See README.md.
// Env: BENCH_SET_MB (default 420), BENCH_RUNS (default 2), BENCH_THREADS (ours), BENCH_ONLY (ids, comma
// separated), BENCH_BIG (0 skips the big package), BENCH_BIG_MB (its size, default 2458).
// Flag: --json (stdout gets JSON only; progress always goes to stderr).
import os from 'node:os';
import { relative } from 'node:path';
import { DEFAULT_BIG_MB } from './big-file.mjs';
import { DEFAULT_SET_MB, ensureDataSet } from './dataset.mjs';
import { packBench } from './pack-bench.mjs';
import * as packReport from './pack-report.mjs';
import { READ_IDS, readBench } from './read-bench.mjs';
import * as readReport from './report.mjs';
import { mb } from './units.mjs';

const json = process.argv.includes('--json');
const setMB = Number(process.env.BENCH_SET_MB || DEFAULT_SET_MB);
const runs = Math.max(1, Number(process.env.BENCH_RUNS || 2));
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const bigMB = process.env.BENCH_BIG === '0' ? 0 : Number(process.env.BENCH_BIG_MB || DEFAULT_BIG_MB);
const wants = (id) => !only || only.has(id);
const log = (message) => process.stderr.write(`${message}\n`);

log(`appv bench: Node ${process.version}, ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? '?'}`);
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

const context = { runs, wants, bigMB, log };
const read = READ_IDS.some(wants) ? await readBench(set, context) : null;
const { pack, verify, big } = await packBench(set, setMB, context);

if (json) {
  const { zipPath, list, ...dataset } = set;
  const output = {
    machine: { node: process.version, cores: os.availableParallelism(), cpu: os.cpus()[0]?.model, load1 },
    dataset: { ...dataset, zip: relative(process.cwd(), zipPath) },
    runs,
    read,
    pack,
    verify,
    big,
    targets: { read: read?.targets ?? null, pack: packReport.targets({ pack, verify, big }) },
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
} else {
  const sections = [];
  if (read) {
    const footnotes = readReport.notes(read);
    sections.push(
      `read: the set's ZIP (${mb(set.zipBytes).toFixed(0)} MB, ${set.files} entries)\n${readReport.table(read)}` +
        `${footnotes ? `\n${footnotes}` : ''}\n${readReport.verdict(read)}`,
    );
  }
  if (pack) sections.push(`pack: the set's folder (${set.files} files)\n${packReport.packTable(pack)}`);
  if (verify) sections.push(`verify: the package appv pack wrote\n${packReport.verifyTable(verify)}`);
  if (big) sections.push(`big: one ${mb(big.bytes).toFixed(0)} MB file\n${packReport.bigTable(big)}`);
  if (pack || verify || big) {
    const footnotes = packReport.notes({ pack, verify, big });
    sections.push(`${footnotes ? `${footnotes}\n\n` : ''}${packReport.verdict({ pack, verify, big })}`);
  }
  process.stdout.write(
    `\n${sections.join('\n\n')}\n\n(MB = MiB; MB/s = uncompressed bytes of the set, or of the big file, per second)\n`,
  );
}
