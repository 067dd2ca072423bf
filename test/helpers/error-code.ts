import { AppvError } from '@appv/opc';
import { expect } from 'vitest';

/** The `code` of the AppvError `run` throws (asserting it is one), or 'no error'. */
export function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppvError);
    return (error as AppvError).code;
  }
  return 'no error';
}

/** The `code` of the AppvError `promise` rejects with (asserting it is one), or 'no error'. */
export async function asyncCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppvError);
    return (error as AppvError).code;
  }
  return 'no error';
}
