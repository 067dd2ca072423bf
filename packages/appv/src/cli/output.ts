import type { Writable } from 'node:stream';

/**
 * How verbs print: `--json` gets one JSON document on stdout (stable keys, for scripts); otherwise aligned
 * plain text for people. Nothing here decides *what* to print, only how.
 */

export function writeJson(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeLines(stream: Writable, lines: readonly string[]): void {
  if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
}

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

/** Columns padded to their widest cell, two spaces apart; the last left-aligned column is not padded. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        if (columns[i]?.align === 'right') return cell.padStart(width);
        return i === cells.length - 1 ? cell : cell.padEnd(width);
      })
      .join('  ');
  return [render(columns.map((c) => c.header)), ...rows.map(render)];
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

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export { hex as hex32 } from '@appv/opc';
