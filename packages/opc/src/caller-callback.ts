import { AppvError, ErrorCode } from './errors.js';

/**
 * A caller's callback (`onProgress`) as this library calls it: what it throws is the caller's own bug, so
 * it comes back as a USAGE error that says so, with the thrown value as `cause`. Unwrapped, it was reported
 * as a worker failure by verify and as a write failure by pack (found by review).
 */
export function callerCallback<A extends unknown[]>(
  name: string,
  callback: ((...args: A) => void) | undefined,
): ((...args: A) => void) | undefined {
  if (callback === undefined) return undefined;
  return (...args: A) => {
    try {
      callback(...args);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new AppvError(ErrorCode.USAGE, `The ${name} callback threw: ${reason}`, { cause: error });
    }
  };
}
