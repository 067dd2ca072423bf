import { setImmediate } from 'node:timers/promises';
import { EVENT_LOOP_SLICE_MS } from './limits.js';

/**
 * Gives the event loop a turn after every EVENT_LOOP_SLICE_MS of work done without one. Loops that run on
 * synchronous file-system calls (an extraction, the pack's source scan) finish thousands of steps in one
 * pass of the loop, and meanwhile no timer, abort or Ctrl-C could be heard: `appv extract` once ignored a
 * SIGINT for the 14 s it took.
 */
export class LoopTurns {
  private last = performance.now();

  /** Awaits one turn of the event loop if the current slice is used up; otherwise returns at once. */
  async take(): Promise<void> {
    if (performance.now() - this.last < EVENT_LOOP_SLICE_MS) return;
    await setImmediate();
    this.last = performance.now();
  }
}
