// Runs one contender in this process so its peak RSS is its own: `node bench/child.mjs <contender> <paths...>`
// (the read contenders take the ZIP, pack contenders the folder and the output, verify ones the package).
// Prints one line `BENCH_RESULT <json>` on stdout. Only `run()` is timed: module loading, `prepare()`
// and `verify()` are not; peak RSS is read right after `run()`, before `verify()` allocates anything.
import { readFileSync } from 'node:fs';

const CONTENDERS = {
  ours: () => import('./ours.mjs'),
  yauzl: () => import('./peers.mjs').then((m) => m.yauzlPlain),
  'yauzl-hash': () => import('./peers.mjs').then((m) => m.yauzlHashed),
  limit: () => import('./limit.mjs'),
  pack: () => import('./ours-pack.mjs').then((m) => m.appvPack),
  'yazl-pack': () => import('./yazl-pack.mjs').then((m) => m.yazlPack),
  'pack-limit': () => import('./pack-limit.mjs'),
  verify: () => import('./ours-pack.mjs').then((m) => m.appvVerify),
};

function emit(result) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

const [name, ...paths] = process.argv.slice(2);
const load = CONTENDERS[name];
if (!load || paths.length === 0) {
  console.error(`usage: node bench/child.mjs <${Object.keys(CONTENDERS).join('|')}> <paths...>`);
  process.exit(2);
}

async function main() {
  const contender = await load();
  let prepared;
  try {
    prepared = await contender.prepare(...paths);
  } catch (error) {
    if (!error?.unavailable) throw error;
    return { status: 'unavailable', reason: error.message };
  }
  const cpuBefore = process.cpuUsage();
  const mainBefore = threadCpuSeconds();
  const started = process.hrtime.bigint();
  const result = await prepared.run();
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const mainAfter = threadCpuSeconds();
  const maxRssKiB = process.resourceUsage().maxRSS;
  const detail = { ...result.detail, ...(prepared.verify ? await prepared.verify(result) : {}) };
  return {
    status: 'ok',
    seconds: result.seconds ?? elapsed,
    bytes: result.bytes,
    maxRssKiB,
    // Every thread's CPU during run(), and the main thread's own: where the time went besides the workers.
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    mainCpuSeconds: mainBefore === null || mainAfter === null ? null : mainAfter - mainBefore,
    detail,
  };
}

/** This thread's CPU seconds from /proc (Linux, clock ticks of 1/100 s); null elsewhere. */
function threadCpuSeconds() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

emit(await main().catch((error) => ({ status: 'failed', reason: error?.stack ?? String(error) })));
// A contender that leaves worker threads or handles behind must not hang the bench (stdout to a pipe is
// synchronous on Linux, so the line above is already out).
process.exit(0);
