import { HashArena } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('HashArena (runs of digests in shared slabs)', () => {
  it('each run reads back as written, and finished runs stay intact when a later one moves', () => {
    // Runs of up to 3,000 digests of 32 bytes (96 KB) outgrow the 64 KiB slab and move, so the property
    // covers a run's move and the runs left behind in the old slab.
    const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
    const run = fc.array(fc.tuple(digest, fc.boolean()), { maxLength: 3_000 });
    fc.assert(
      fc.property(fc.array(run, { maxLength: 8 }), (runs) => {
        const arena = new HashArena();
        const ended = runs.map((digests) => {
          arena.begin();
          for (const [bytes, asBase64] of digests) {
            if (asBase64) arena.add(Buffer.from(bytes).toString('base64'), bytes.length);
            else arena.addBytes(bytes);
          }
          return arena.end();
        });
        runs.forEach((digests, i) => {
          expect(ended[i]?.equals(Buffer.concat(digests.map(([bytes]) => bytes)))).toBe(true);
        });
      }),
      { numRuns: 40 },
    );
  });
});
