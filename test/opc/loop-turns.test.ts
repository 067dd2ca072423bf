import { EVENT_LOOP_SLICE_MS, LoopTurns } from '@appv/opc';
import { describe, expect, it } from 'vitest';

/** Synchronous work for `ms` milliseconds: what a loop of file-system calls looks like to the event loop. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('LoopTurns', () => {
  it('lets a timer run during a long synchronous loop that takes its turns', async () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    const turns = new LoopTurns();
    let stepsBeforeTimer = -1;
    // Ten slices of work in small steps: the timer must get its turn well before the end.
    for (let step = 0; step < 100; step++) {
      busy(EVENT_LOOP_SLICE_MS / 10);
      await turns.take();
      if (fired && stepsBeforeTimer < 0) stepsBeforeTimer = step;
    }
    expect(fired).toBe(true);
    expect(stepsBeforeTimer).toBeGreaterThanOrEqual(0);
    expect(stepsBeforeTimer).toBeLessThan(99);
  });

  it('without turns the same loop starves the timer (what it guards against)', async () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    for (let step = 0; step < 20; step++) {
      busy(EVENT_LOOP_SLICE_MS / 10);
      await Promise.resolve(); // an await alone is a microtask, not a turn of the loop
    }
    expect(fired).toBe(false);
  });
});
