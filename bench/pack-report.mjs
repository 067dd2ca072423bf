// The pack part's report: the pack, verify and big-package tables, the verdict on the targets
// (one line each), footnotes.
import { limitNote } from './report.mjs';
import { addRates, addRatio, COLUMNS, check, fixed, mark, ratioColumn, renderTable } from './table.mjs';
import { mb, rssText } from './units.mjs';

/** The targets, for the set's package and for the big one (RSS). */
export const TARGETS = { packVsLimit: 0.85, sizeOverYazl: 0.03, verifyVsLimit: 0.85, rssMB: 128 };

const ok = (rows, id) => rows?.find((row) => row.id === id && row.status === 'ok') ?? null;

/** Rates, ratios to yazl, zip and the pack limit, and each packer's output size next to yazl's. */
export function summarizePack(rows, inputBytes) {
  addRates(rows, inputBytes);
  addRatio(rows, 'vsYazl', 'yazl-pack');
  addRatio(rows, 'vsZip', 'zip');
  addRatio(rows, 'vsLimit', 'pack-limit');
  const yazlSize = ok(rows, 'yazl-pack')?.detail?.size ?? null;
  for (const row of rows) {
    if (row.status !== 'ok') continue;
    row.size = row.detail?.size ?? null;
    row.sizeVsYazl = row.size != null && yazlSize ? row.size / yazlSize - 1 : null;
  }
  return { rows };
}

/** Rates and ratios to `unzip -t` and the verify limit. */
export function summarizeVerify(rows, inputBytes) {
  addRates(rows, inputBytes);
  addRatio(rows, 'vsUnzip', 'unzip-appv');
  addRatio(rows, 'vsLimit', 'verify-limit');
  return { rows };
}

/** The big single-file package: rates against its one file, the package size. */
export function summarizeBig(rows, bytes) {
  addRates(rows, bytes);
  for (const row of rows) if (row.status === 'ok') row.size = row.detail?.size ?? null;
  return { bytes, rows };
}

const percent = (value) => (value == null ? '-' : `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)}%`);
const sizeCell = (row) => (row.size == null ? '-' : fixed(mb(row.size), 1));
const { label, seconds, rate, cpu, rss } = COLUMNS;

export const packTable = ({ rows }) =>
  renderTable(
    [
      label,
      seconds,
      rate,
      ratioColumn('x yazl', 'vsYazl'),
      ratioColumn('x zip', 'vsZip'),
      ratioColumn('x limit', 'vsLimit'),
      ['size MB', sizeCell],
      ['vs yazl', (row) => percent(row.sizeVsYazl)],
      cpu,
      rss,
    ],
    rows,
  );

export const verifyTable = ({ rows }) =>
  renderTable(
    [label, seconds, rate, ratioColumn('x unzip', 'vsUnzip'), ratioColumn('x limit', 'vsLimit'), cpu, rss],
    rows,
  );

export const bigTable = ({ rows }) =>
  renderTable([label, seconds, rate, ['size MB', sizeCell], cpu, rss], rows);

/** What `appv verify` said about a package: valid, or its first errors. */
function validity(row) {
  const d = row.detail ?? {};
  return d.valid
    ? `valid (${d.items} items, ${d.blocks} blocks)`
    : `INVALID: ${d.findings?.join('; ') ?? 'no findings quoted'}`;
}

/** The targets, each `{ text, value, pass }` (pass null: nothing to judge). */
export function targets({ pack, verify, big }) {
  const packRow = ok(pack?.rows, 'pack');
  const verifyRow = ok(verify?.rows, 'verify');
  const bigPack = ok(big?.rows, 'big-pack');
  const bigVerify = ok(big?.rows, 'big-verify');
  const line = (text, t, shown) => ({ text, ...t, shown: t.value == null ? '-' : shown(t.value) });
  const times = (v) => `${fixed(v, 2)}x`;
  const rssUnder = (row) => check(row?.rssMB ?? null, (v) => v <= TARGETS.rssMB);
  const valid = (row) => check(row ? Boolean(row.detail?.valid) : null, (v) => v);
  return [
    line(
      `appv pack >= ${TARGETS.packVsLimit}x pack limit`,
      check(packRow?.vsLimit ?? null, (v) => v >= TARGETS.packVsLimit),
      times,
    ),
    line(
      `appv pack size within ${100 * TARGETS.sizeOverYazl}% of yazl's`,
      check(packRow?.sizeVsYazl ?? null, (v) => v <= TARGETS.sizeOverYazl),
      percent,
    ),
    line(
      `appv verify >= ${TARGETS.verifyVsLimit}x verify limit`,
      check(verifyRow?.vsLimit ?? null, (v) => v >= TARGETS.verifyVsLimit),
      times,
    ),
    line(`appv pack peak RSS <= ${TARGETS.rssMB} MiB`, rssUnder(packRow), rssText),
    line(`appv verify peak RSS <= ${TARGETS.rssMB} MiB`, rssUnder(verifyRow), rssText),
    line(`appv pack peak RSS <= ${TARGETS.rssMB} MiB, big file`, rssUnder(bigPack), rssText),
    line(`appv verify peak RSS <= ${TARGETS.rssMB} MiB, big package`, rssUnder(bigVerify), rssText),
    line('appv verify finds the packed set valid', valid(verifyRow), () => validity(verifyRow)),
    line('appv verify finds the big package valid', valid(bigVerify), () => validity(bigVerify)),
  ];
}

export function verdict(parts) {
  const lines = targets(parts).map((t) => `  ${mark(t).padEnd(4)}  ${t.text}: ${t.shown}`);
  const packRow = ok(parts.pack?.rows, 'pack');
  if (packRow?.vsZip != null)
    lines.push(`  info  appv pack vs zip -r -6: ${fixed(packRow.vsZip, 2)}x (the issue expects about 3x)`);
  return `targets (pack and verify):\n${lines.join('\n')}`;
}

function makeUpNote(m) {
  const MB = (bytes) => `${fixed(mb(bytes), 1)} MB`;
  return (
    `payload deflated ${MB(m.deflated)} + payload stored ${MB(m.stored)} (${m.storedParts} parts)` +
    ` + footprint parts ${MB(m.footprint)} + ZIP headers ${MB(m.headers)}`
  );
}

/** Footnotes: the limits' make-up and per-step rates, notes on rows (what verify said is in the verdict). */
export function notes({ pack, verify, big }) {
  const out = [];
  for (const row of [...(pack?.rows ?? []), ...(verify?.rows ?? []), ...(big?.rows ?? [])]) {
    if (row.status !== 'ok') continue;
    if (row.limit) out.push(limitNote(row));
    if (row.detail?.makeUp) out.push(`${row.label}: ${makeUpNote(row.detail.makeUp)}`);
    if (row.note) out.push(`${row.label}: ${row.note}`);
  }
  return out.join('\n');
}
