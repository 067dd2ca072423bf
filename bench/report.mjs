// Turns the measurements into one table, a verdict line for the targets, or JSON.
import { mb } from './units.mjs';

export const TARGETS = { vsYauzl: 2, vsLimit: 0.7, rssMB: 128 };

const fixed = (value, digits) => (value == null || !Number.isFinite(value) ? '-' : value.toFixed(digits));

/** Adds MB/s and the two ratios to every row; the limit row's seconds are projected onto the set. */
export function summarize(rows, inputBytes) {
  const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
  for (const row of rows) {
    if (row.status !== 'ok') continue;
    if (row.id === 'limit') {
      row.mbps = mb(row.bytes) / row.seconds;
      row.projectedSeconds = mb(inputBytes) / row.mbps;
    } else {
      row.mbps = mb(inputBytes) / row.seconds;
      if (row.bytes != null && row.bytes !== inputBytes)
        row.note = `produced ${row.bytes} bytes, set has ${inputBytes}`;
    }
  }
  const yauzl = byId.yauzl?.status === 'ok' ? byId.yauzl.mbps : null;
  const limit = byId.limit?.status === 'ok' ? byId.limit.mbps : null;
  for (const row of rows) {
    if (row.status !== 'ok') continue;
    row.vsYauzl = yauzl ? row.mbps / yauzl : null;
    row.vsLimit = limit ? row.mbps / limit : null;
  }
  const ours = byId.ours;
  if (ours?.status !== 'ok') return { rows, targets: null };
  const check = (value, ok) => ({ value, pass: value == null ? null : ok(value) });
  const targets = {
    vsYauzl: check(ours.vsYauzl, (v) => v >= TARGETS.vsYauzl),
    vsLimit: check(ours.vsLimit, (v) => v >= TARGETS.vsLimit),
    rssMB: check(ours.rssMB, (v) => v <= TARGETS.rssMB),
  };
  return { rows, targets };
}

function statusText(row) {
  if (row.status === 'unavailable') return `not available (${row.reason})`;
  if (row.status === 'failed') return `FAILED: ${row.reason.split('\n')[0]}`;
  return '';
}

export function table({ rows }) {
  const header = ['contender', 'seconds', 'MB/s', 'x yauzl', 'x limit', 'peak RSS MB'];
  const body = rows.map((row) =>
    row.status === 'ok'
      ? [
          row.label,
          row.id === 'limit' ? `${fixed(row.projectedSeconds, 2)}*` : fixed(row.seconds, 2),
          fixed(row.mbps, 0),
          fixed(row.vsYauzl, 2),
          fixed(row.vsLimit, 2),
          fixed(row.rssMB, 0),
        ]
      : [row.label, statusText(row)],
  );
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.filter((r) => r.length > 2).map((r) => r[i].length)),
  );
  const line = (cells) =>
    cells.length === 2
      ? `${cells[0].padEnd(widths[0])}  ${cells[1]}`
      : cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function verdict({ targets }) {
  if (!targets) return 'targets: ours not available, nothing to judge';
  const mark = (t) => (t.pass == null ? 'n/a' : t.pass ? 'PASS' : 'MISS');
  return [
    `ours >= ${TARGETS.vsYauzl}x yauzl: ${mark(targets.vsYauzl)} (${fixed(targets.vsYauzl.value, 2)}x)`,
    `ours >= ${TARGETS.vsLimit}x limit: ${mark(targets.vsLimit)} (${fixed(targets.vsLimit.value, 2)}x)`,
    `ours peak RSS <= ${TARGETS.rssMB} MB: ${mark(targets.rssMB)} (${fixed(targets.rssMB.value, 0)} MB)`,
  ].join('  |  ');
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
    if (row.id === 'limit') {
      out.push(
        `* limit: ${d.threads} threads x ${d.passes} pass(es) over ${d.sampleEntries} entries from memory` +
          `${d.strided ? ' (strided sample)' : ''}, ` +
          `${d.perThreadMBps} MB/s per thread; seconds projected onto the set; RSS holds the sample. One core alone: ` +
          `inflate ${d.inflateMBps} MB/s, SHA-256 ${d.sha256MBps} MB/s, CRC-32 ${d.crc32MBps} MB/s`,
      );
    }
    if (row.note) out.push(`${row.label}: ${row.note}`);
  }
  return out.join('\n');
}
