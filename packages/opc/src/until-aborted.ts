import { type AppvError, abortError } from './errors.js';

/**
 * `work`, or a rejection as soon as `signal` aborts, whether or not the work heard it (a caller's source that
 * ignores the signal; a stream that never yields again). `reason` makes the rejection (ABORTED by default).
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  reason: (signal: AbortSignal) => AppvError = abortError,
): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => {}); // its outcome no longer matters, and must not become an unhandled rejection
    return Promise.reject(reason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
