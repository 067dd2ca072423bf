import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';

// The CLI's own module (not part of the package's API), from the build the CLI runs.
const { ProgressBar } = (await import(path.join(repoRoot, 'packages/appv/dist/cli/progress-bar.js'))) as {
  ProgressBar: new (
    stream: NodeJS.WriteStream,
    label: string,
    total: number,
  ) => { update(done: number, total?: number): void; finish(): void };
};

/** A terminal of `columns` columns that records what is written to it. */
function terminal(columns: number, isTTY = true) {
  const written: string[] = [];
  const stream = { isTTY, columns, write: (text: string) => written.push(text) };
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

/** The text of the last redraw, without the line-clearing escape. */
const lastLine = (written: readonly string[]) => (written.at(-1) ?? '').replace('\r\x1b[2K', '');

const LARGE = 64 * 1024 * 1024;

describe('the progress bar', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('draws label, bar, percentage and rate on a wide terminal, and erases itself', () => {
    const { stream, written } = terminal(120);
    const bar = new ProgressBar(stream, 'verifying', LARGE);
    bar.update(LARGE / 2);
    expect(lastLine(written)).toMatch(/^verifying \[#{15}-{15}\] {2}50% {2}[\d.]+ MiB\/s$/);
    bar.finish();
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });

  it.each([
    [30, /^verifying {2}50% {2}[\d.]+ MiB\/s$/],
    [20, /^verifying 50%$/],
    [8, /^50%$/],
  ])('on %i columns it never wraps and keeps the percentage (found by review)', (columns, shown) => {
    const { stream, written } = terminal(columns);
    new ProgressBar(stream, 'verifying', LARGE).update(LARGE / 2);
    const line = lastLine(written);
    expect(line).toMatch(shown);
    expect(line.length).toBeLessThan(columns);
  });

  it('takes COLUMNS when the terminal reports no width', () => {
    vi.stubEnv('COLUMNS', '22');
    const { stream, written } = terminal(0);
    new ProgressBar(stream, 'verifying', LARGE).update(LARGE / 4);
    expect(lastLine(written).length).toBeLessThan(22);
    expect(lastLine(written)).toContain('25%');
  });

  it('stays silent when stderr is no terminal, or a dumb one (TERM=dumb, found by review)', () => {
    const pipe = terminal(80, false);
    new ProgressBar(pipe.stream, 'packing', LARGE).update(LARGE / 2);
    expect(pipe.written).toEqual([]);
    vi.stubEnv('TERM', 'dumb');
    const dumb = terminal(80);
    new ProgressBar(dumb.stream, 'packing', LARGE).update(LARGE / 2);
    expect(dumb.written).toEqual([]);
  });
});
