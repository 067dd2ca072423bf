import { ErrorCode } from '@appv/opc';
import { describe, expect, it } from 'vitest';

/**
 * DEVELOPERS.md: every failure is a typed error with a stable code, never a bare TypeError. A JavaScript
 * caller (no compiler to stop it) passing null, a number or an empty object as the first argument got "Cannot
 * read properties of null", and `crc32Combine(null)` looped for ever (found by review). Every function a
 * package exports (classes aside) is called with each; promises are awaited (a wait past 5 s is a hang) and
 * lazy results (iterators) are drained, since that is where their work happens.
 */
export function sweepExports(packageName: string, exports: Record<string, unknown>, atLeast: number): void {
  const functions = Object.entries(exports).filter(
    (entry): entry is [string, (...args: unknown[]) => unknown] =>
      typeof entry[1] === 'function' && !/^[A-Z]/.test(entry[0]),
  );

  describe(`${packageName} refuses a wrong first argument with a typed error`, () => {
    it('exports enough functions for the sweep to mean something', () => {
      expect(functions.length).toBeGreaterThanOrEqual(atLeast);
    });

    it.each(functions)('%s: null, 5, 5n and {} return, or fail with an AppvError code', async (name, fn) => {
      // `{}` passed a check that an argument is an object and then failed reading its fields; 5n broke the
      // messages that quote a wrong value (found by review).
      for (const argument of [null, 5, 5n, {}]) {
        const result = await outcome(() => fn(argument));
        if (result === 'returned') continue;
        expect(result, `${name}(${String(argument)})`).toMatchObject({ code: expect.any(String) });
        expect(Object.values(ErrorCode), `${name}(${String(argument)})`).toContain(
          (result as { code: string }).code,
        );
      }
    });
  });
}

async function outcome(call: () => unknown): Promise<unknown> {
  try {
    let result = call();
    if (result instanceof Promise) {
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer in 5 s: a hang')), 5_000);
      });
      try {
        result = await Promise.race([result, hang]);
      } finally {
        clearTimeout(timer);
      }
    }
    if (isIterable(result)) for (const _piece of result);
    if (isAsyncIterable(result)) for await (const _piece of result);
    return 'returned';
  } catch (error) {
    return error;
  }
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    Symbol.iterator in value &&
    !ArrayBuffer.isView(value) &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set)
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && Symbol.asyncIterator in value;
}
