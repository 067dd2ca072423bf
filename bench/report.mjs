// The read part's report: its table, the verdict line for the read targets, footnotes.
import { addRates, addRatio, COLUMNS, check, fixed, mark, ratioColumn, renderTable } from './table.mjs';
import { rssText } from './units.mjs';

export const TARGETS = { vsYauzl: 2, vsLimit: 0.7, rssMB: 128 };

/** Adds MB/s and the two ratios to every row (see table.mjs), and judges ours against the targets. */
export function summarize(rows, inputBytes) {
  addRates(rows, inputBytes);
  addRatio(rows, 'vsYauzl', 'yauzl');
  addRatio(rows, 'vsLimit', 'limit');
  const ours = rows.find((row) => row.id === 'ours');
  if (ours?.status !== 'ok') {
    return {
      rows,
      targets: null,
      failure: ours ? `ours ${ours.status}: ${ours.reason ?? ''}` : 'ours did not run',
    };
  }
  // A fast wrong answer is no result: ours is judged only once its output checked out (found by review).
  const verified = ours.detail?.verified;
  if (typeof verified !== 'string' || !verified.startsWith('ok')) {
    return {
      rows,
      targets: null,
      failure: `ours did not pass its own check (verified ${verified ?? 'nothing'})`,
    };
  }
  const targets = {
    vsYauzl: check(ours.vsYauzl, (v) => v >= TARGETS.vsYauzl),
    vsLimit: check(ours.vsLimit, (v) => v >= TARGETS.vsLimit),
    rssMB: check(ours.rssMB, (v) => v <= TARGETS.rssMB),
  };
  return { rows, targets };
}

export function table({ rows }) {
  return renderTable(
    [
      COLUMNS.label,
      COLUMNS.seconds,
      COLUMNS.rate,
      ratioColumn('x yauzl', 'vsYauzl'),
      ratioColumn('x limit', 'vsLimit'),
      COLUMNS.cpu,
      COLUMNS.rss,
    ],
    rows,
  );
}

export function verdict({ targets, failure }) {
  if (!targets) return `targets: FAILED, ${failure}`;
  return [
    `ours >= ${TARGETS.vsYauzl}x yauzl: ${mark(targets.vsYauzl)} (${fixed(targets.vsYauzl.value, 2)}x)`,
    `ours >= ${TARGETS.vsLimit}x limit: ${mark(targets.vsLimit)} (${fixed(targets.vsLimit.value, 2)}x)`,
    `ours peak RSS <= ${TARGETS.rssMB} MiB: ${mark(targets.rssMB)} (${rssText(targets.rssMB.value)})`,
  ].join('  |  ');
}

/** How the limits' one-core breakdown names its steps (limit.mjs, pack-limit.mjs). */
const STEPS = {
  inflateMBps: 'inflate',
  deflateMBps: 'deflate L6 per block',
  sha256MBps: 'SHA-256',
  crc32MBps: 'CRC-32',
};

/** The footnote of a machine limit row: its make-up and the one-core rate of each step. */
export function limitNote(row) {
  const d = row.detail ?? {};
  const steps = Object.entries(STEPS)
    .filter(([key]) => d[key] != null)
    .map(([key, name]) => `${name} ${d[key]} MB/s`);
  return (
    `* ${row.label}: ${d.threads} threads x ${d.passes} pass(es) over ${d.sampleEntries} items from memory` +
    `${d.strided ? ' (strided sample)' : ''}, ${d.perThreadMBps} MB/s per thread; seconds projected onto ` +
    `the set; RSS holds the sample. One core alone: ${steps.join(', ')}`
  );
}

/** Footnotes: what each row's details say (verification, the limit's per-step rates, notes). */
export function notes({ rows }) {
  const out = [];
  for (const row of rows) {
    if (row.status !== 'ok') continue;
    const d = row.detail ?? {};
    if (row.id === 'ours' && d.verified) out.push(`ours: verified ${d.verified}`);
    if (row.id === 'yauzl-hash' && d.crcMismatches)
      out.push(`yauzl + sha256 + crc32: ${d.crcMismatches} CRC mismatches`);
    if (row.id === 'limit') out.push(limitNote(row));
    if (row.note) out.push(`${row.label}: ${row.note}`);
  }
  return out.join('\n');
}
