// What every result table of the bench shares: rates, ratios between rows, PASS/MISS marks, the layout.
import { mb } from './units.mjs';

export const fixed = (value, digits) =>
  value == null || !Number.isFinite(value) ? '-' : value.toFixed(digits);

/**
 * MB/s of every ok row: bytes of the set per second. A machine limit row (`row.limit`) measures what its
 * threads produced from memory, so its rate is its own bytes per second and its seconds are projected onto
 * the set (`projectedSeconds`, printed with a `*`).
 */
export function addRates(rows, inputBytes) {
  for (const row of rows) {
    if (row.status !== 'ok') continue;
    if (row.limit) {
      row.mbps = mb(row.bytes) / row.seconds;
      row.projectedSeconds = mb(inputBytes) / row.mbps;
    } else {
      row.mbps = mb(inputBytes) / row.seconds;
      if (row.bytes != null && row.bytes !== inputBytes)
        row.note = `handled ${row.bytes} bytes, the set has ${inputBytes}`;
    }
  }
}

/** Sets `row[key]` = row MB/s / MB/s of the row `baseId` (null when that row has no figure). */
export function addRatio(rows, key, baseId) {
  const base = rows.find((row) => row.id === baseId && row.status === 'ok')?.mbps ?? null;
  for (const row of rows) if (row.status === 'ok') row[key] = base ? row.mbps / base : null;
}

/** A target's outcome: `pass` is null when there is no value to judge. */
export const check = (value, ok) => ({ value, pass: value == null ? null : ok(value) });

export const mark = (target) => (target.pass == null ? 'n/a' : target.pass ? 'PASS' : 'MISS');

function statusText(row) {
  if (row.status === 'unavailable') return `not available (${row.reason})`;
  if (row.status === 'failed') return `FAILED: ${row.reason.split('\n')[0]}`;
  return '';
}

/** The seconds cell: a limit's projected seconds carry a `*` (see addRates). */
const secondsCell = (row) => (row.limit ? `${fixed(row.projectedSeconds, 2)}*` : fixed(row.seconds, 2));

/**
 * CPU seconds of all the row's threads, with the main thread's share in brackets where known: against a
 * limit's (projected onto the set like its seconds) it shows how much work beyond the limit's a contender
 * does, which on a busy machine moves less than its seconds do.
 */
function cpuCell(row) {
  if (row.cpuSeconds == null) return '-';
  const scale = row.limit ? row.projectedSeconds / row.seconds : 1;
  const main = row.mainCpuSeconds == null || row.limit ? '' : ` (${fixed(row.mainCpuSeconds, 1)})`;
  return `${fixed(row.cpuSeconds * scale, 1)}${main}`;
}

/** The columns every table has, as renderTable takes them. */
export const COLUMNS = {
  label: ['contender', (row) => row.label],
  seconds: ['seconds', secondsCell],
  rate: ['MB/s', (row) => fixed(row.mbps, 0)],
  cpu: ['CPU s (main)', cpuCell],
  rss: ['peak RSS MB', (row) => fixed(row.rssMB, 0)],
};

/** A `x <peer>` column: the row's ratio `key` (set by addRatio), two decimals. */
export const ratioColumn = (title, key) => [title, (row) => fixed(row[key], 2)];

/**
 * A plain-text table: `columns` are `[title, (row) => cell]`, the first left-aligned, the rest right-aligned.
 * A row that did not run prints its label and why instead of figures.
 */
export function renderTable(columns, rows) {
  const header = columns.map(([title]) => title);
  const body = rows.map((row) =>
    row.status === 'ok' ? columns.map(([, cell]) => cell(row)) : [row.label, statusText(row)],
  );
  const full = body.filter((cells) => cells.length === header.length);
  const widths = header.map((h, i) => Math.max(h.length, ...full.map((cells) => cells[i].length)));
  const line = (cells) =>
    cells.length !== header.length
      ? `${cells[0].padEnd(widths[0])}  ${cells[1]}`
      : cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
