/**
 * A one-line progress bar on stderr. It stays invisible unless stderr is a terminal (never pollutes a log
 * or a pipe) and the work is long enough to be worth watching: more than LARGE_WORK bytes, or still running
 * after SHOW_AFTER_MS. Redraws are throttled, and the line is erased when the work ends, so the final
 * output reads as if there had been no bar.
 */

const SHOW_AFTER_MS = 1000;
const LARGE_WORK = 32 * 1024 * 1024;
const REDRAW_MS = 100;
const BAR_WIDTH = 30;
const CLEAR_LINE = '\r\x1b[2K';

export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
    private total: number,
  ) {
    // TERM=dumb: a terminal that cannot erase a line would show every redraw (found by review).
    this.enabled = stream.isTTY === true && process.env.TERM !== 'dumb';
  }

  update(done: number, total = this.total): void {
    this.total = total;
    if (!this.enabled) return;
    const now = Date.now();
    if (!this.drawn && total <= LARGE_WORK && now - this.started < SHOW_AFTER_MS) return;
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(`${CLEAR_LINE}${this.render(done)}`);
  }

  /** Erases the bar (call in `finally`, so an error or Ctrl-C does not leave it behind). */
  finish(): void {
    if (this.drawn) this.stream.write(CLEAR_LINE);
    this.drawn = false;
  }

  private render(done: number): string {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds / (1024 * 1024) : 0;
    const percent = `${(fraction * 100).toFixed(0).padStart(3)}%`;
    const figures = `${percent}  ${rate.toFixed(1)} MiB/s`;
    // A line that wraps could not be erased by CLEAR_LINE, which only clears the cursor's row; the bar
    // gives way first, then the rate, so a narrow terminal still shows the percentage (found by review).
    const room = this.columns() - 1;
    const barWidth = Math.min(BAR_WIDTH, room - this.label.length - figures.length - 4);
    const filled = Math.round(fraction * barWidth);
    const lines = [
      barWidth >= 5 ? `${this.label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${figures}` : '',
      `${this.label} ${figures}`,
      `${this.label} ${percent.trim()}`,
      percent.trim(),
    ];
    return lines.find((line) => line !== '' && line.length <= room) ?? '';
  }

  /** The terminal's width: what it reports, else COLUMNS, else 80. */
  private columns(): number {
    if (this.stream.columns > 0) return this.stream.columns;
    const fromEnvironment = Number(process.env.COLUMNS);
    return Number.isInteger(fromEnvironment) && fromEnvironment > 0 ? fromEnvironment : 80;
  }
}
