// The read part of `pnpm bench` (bench.mjs): one large ZIP read by ours, yauzl and unzip, next to the
// machine limit for inflate + SHA-256 + CRC-32. See README.md.
import os from 'node:os';
import { measureAll, nativeOnce, runNodeContender, warm } from './measure.mjs';
import { summarize } from './report.mjs';

export const READ_IDS = ['ours', 'yauzl', 'yauzl-hash', 'unzip', 'limit'];

function contenders(zipPath) {
  return [
    { id: 'ours', label: 'ours (digestPackage)', once: () => runNodeContender('ours', zipPath) },
    { id: 'yauzl', label: 'yauzl, every entry', once: () => runNodeContender('yauzl', zipPath) },
    {
      id: 'yauzl-hash',
      label: 'yauzl + sha256 + crc32',
      once: () => runNodeContender('yauzl-hash', zipPath),
    },
    { id: 'unzip', label: 'unzip -t -qq', once: nativeOnce(['unzip'], ['-t', '-qq', zipPath]) },
    {
      id: 'limit',
      label: `machine limit (${os.availableParallelism()} threads)`,
      limit: true,
      once: () => runNodeContender('limit', zipPath),
    },
  ];
}

/** Measures the selected read contenders on the set's ZIP; returns the read summary (report.mjs). */
export async function readBench(set, { runs, wants, log }) {
  warm([set.zipPath]);
  log(`read: page cache warmed; ${runs} run(s) per contender, best kept (peak RSS: highest seen)`);
  const rows = await measureAll(
    contenders(set.zipPath).filter((c) => wants(c.id)),
    runs,
    log,
  );
  const ours = rows.find((row) => row.id === 'ours');
  if (ours?.status === 'unavailable') log('ours: not available');
  return summarize(rows, set.inputBytes);
}
