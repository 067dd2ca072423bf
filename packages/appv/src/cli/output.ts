import type { Writable } from 'node:stream';
import { printable } from '@appv/opc';
import { clipped, displayWidth, padToWidth } from './terminal-text.js';

/**
 * How verbs print: `--json` gets one JSON document on stdout (stable keys, for scripts); otherwise aligned
 * plain text for people. Nothing here decides *what* to print, only how.
 */

export function writeJson(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Lines for people, each made printable (terminal-text.ts), written a bounded group at a time so that a
 * listing of a huge package is never one huge string.
 */
export function writeLines(stream: Writable, lines: readonly string[]): void {
  for (let at = 0; at < lines.length; at += LINES_PER_WRITE) {
    const group = lines.slice(at, at + LINES_PER_WRITE).map(printable);
    stream.write(`${group.join('\n')}\n`);
  }
}

const LINES_PER_WRITE = 1024;

/** The widest a table cell is shown, except in the last column (which is never padded). */
const MAX_CELL_WIDTH = 80;

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

/**
 * Columns padded to their widest cell, two spaces apart; the last left-aligned column is not padded. Cells
 * are made printable first (so widths count what is shown), and all but the last column's are clipped at
 * MAX_CELL_WIDTH characters.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const last = columns.length - 1;
  const shown = rows.map((row) =>
    columns.map((_, i) => {
      const cell = printable(row[i] ?? '');
      return i === last ? cell : clipped(cell, MAX_CELL_WIDTH);
    }),
  );
  const widths = columns.map((column) => column.header.length);
  for (const row of shown) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  }
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        if (columns[i]?.align === 'right') return padToWidth(cell, width, true);
        return i === cells.length - 1 ? cell : padToWidth(cell, width);
      })
      .join('  ');
  return [render(columns.map((c) => c.header)), ...shown.map(render)];
}

/** `label  value` lines with the labels aligned; null values are skipped. */
export function renderFields(fields: readonly (readonly [string, string | null])[]): string[] {
  const present = fields.filter((f): f is readonly [string, string] => f[1] !== null);
  const width = Math.max(0, ...present.map(([label]) => label.length));
  return present.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Binary units with one decimal (`1.5 MiB`); exact bytes below 1 KiB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * `209.8 KiB, 26.0 KiB compressed (12.4%)`: the items' bytes and what they take in the package, as both
 * `info` and `pack` say it (pack compared the package file with the payload, another ratio, which read
 * 57475.0% for a tiny folder; found by review).
 */
export function formatCompression(uncompressed: number, compressed: number): string {
  const ratio = uncompressed === 0 ? '' : ` (${formatPercent(compressed / uncompressed)})`;
  return `${formatBytes(uncompressed)}, ${formatBytes(compressed)} compressed${ratio}`;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export { hex as hex32 } from '@appv/opc';
