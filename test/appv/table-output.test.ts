import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';

// The CLI's own modules (not part of the package's API), from the build the CLI runs.
const { renderTable } = (await import(path.join(repoRoot, 'packages/appv/dist/cli/output.js'))) as {
  renderTable: (
    columns: readonly { header: string; align?: 'left' | 'right' }[],
    rows: string[][],
  ) => string[];
};
const terminalText = (await import(path.join(repoRoot, 'packages/appv/dist/cli/terminal-text.js'))) as {
  displayWidth: (text: string) => number;
  clipped: (text: string, max: number) => string;
};
const { displayWidth } = terminalText;

describe('tables for people', () => {
  it('count terminal columns: wide characters two, combining marks none', () => {
    expect(displayWidth('app.exe')).toBe(7);
    expect(displayWidth('子目录.exe')).toBe(10);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('한글')).toBe(4);
    expect(displayWidth('😀')).toBe(2);
    // Found by review: wide symbols and emoji outside the first ranges, joined emoji, decomposed Hangul.
    expect(displayWidth('🚀')).toBe(2);
    expect(displayWidth('☕')).toBe(2);
    expect(displayWidth('👨\u200D👩\u200D👧')).toBe(2);
    expect(displayWidth('한'.normalize('NFD'))).toBe(2);
  });

  it('clip a long cell by columns, between characters', () => {
    const { clipped } = terminalText;
    expect(clipped('子'.repeat(100), 80)).toBe(`${'子'.repeat(39)}…`);
    expect(displayWidth(clipped('😀'.repeat(100), 9))).toBeLessThanOrEqual(9);
    expect(clipped('😀'.repeat(100), 9)).toBe(`${'😀'.repeat(4)}…`);
    expect(clipped('short', 80)).toBe('short');
  });

  it('align the next column after a row of wide characters (found by review: it shifted)', () => {
    const lines = renderTable(
      [{ header: 'Name' }, { header: 'Size', align: 'right' }, { header: 'Target' }],
      [
        ['子目录.exe', '1', 'a'],
        ['plain.exe', '22', 'b'],
      ],
    );
    // Where the last column starts, in terminal columns, is the same on every line.
    const starts = lines.map((line) => displayWidth(line.slice(0, line.length - 1)));
    expect(lines[0]?.endsWith('Target')).toBe(true);
    expect(new Set(starts.slice(1)).size).toBe(1);
    expect(displayWidth(lines[0] ?? '') - 'Target'.length).toBe(starts[1]);
  });
});
