import { AppvError, ErrorCode } from './errors.js';
import { nearestName } from './nearest-name.js';

/**
 * Every key an options object may have, as a record the compiler checks against the options type (a key
 * missing from it, or one the type does not have, is a compile error), so the list cannot drift.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true | OptionKind };

/**
 * What a key's value must be, where a wrong one would surface as a bare TypeError deep inside the call
 * (`store: 'zip'` was "extra.some is not a function"; found by review). `true`: checked by the call itself.
 */
export type OptionKind = 'signal' | 'function' | 'boolean' | 'string' | 'strings' | 'additions' | 'pool';

const KIND_CHECKS: Readonly<Record<OptionKind, [(value: unknown) => boolean, string]>> = {
  signal: [(v) => v instanceof AbortSignal, 'an AbortSignal'],
  function: [(v) => typeof v === 'function', 'a function'],
  boolean: [(v) => typeof v === 'boolean', 'true or false'],
  string: [(v) => typeof v === 'string', 'a string'],
  strings: [(v) => Array.isArray(v) && v.every((item) => typeof item === 'string'), 'an array of strings'],
  // Recognised by what is used of it (importing WorkerPool here would tie every module to the workers): a
  // `{}` was "pool.run is not a function" as IO_WRITE_FAILED, after which the writer's abort never settled
  // (found by review).
  pool: [
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { run?: unknown }).run === 'function' &&
      typeof (v as { destroy?: unknown }).destroy === 'function' &&
      Number.isInteger((v as { threads?: unknown }).threads),
    'a WorkerPool',
  ],
  additions: [
    (v) =>
      Array.isArray(v) && v.every((item) => typeof item?.name === 'string' && typeof item?.path === 'string'),
    'an array of { name, path } strings',
  ],
};

/**
 * Refuses an options object with a key the call does not know: `editPackage(…, { version })` (edit's is
 * `setVersion`) or a misspelt `newVersio` was ignored, and wrote a package with the wrong version or ids
 * (found by review). A likely intended key is named.
 */
export function checkOptionKeys<T>(options: unknown, keys: OptionKeys<T>, call: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AppvError(ErrorCode.USAGE, `${call}: options must be an object`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (Object.hasOwn(keys, key)) {
      const kind = (keys as Readonly<Record<string, true | OptionKind>>)[key];
      if (kind === undefined || kind === true || value === undefined) continue;
      const [valid, expected] = KIND_CHECKS[kind];
      if (!valid(value)) {
        throw new AppvError(ErrorCode.USAGE, `${call}: option ${JSON.stringify(key)} must be ${expected}`);
      }
      continue;
    }
    const hint = nearestName(key, Object.keys(keys));
    throw new AppvError(
      ErrorCode.USAGE,
      `${call}: unknown option ${JSON.stringify(key)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; it takes ${Object.keys(keys).join(', ')}`,
    );
  }
}

/** Refuses a path argument that is no non-empty string (USAGE), where Node's path functions threw TypeError. */
export function checkPathArgument(value: unknown, what: string, call: string): asserts value is string {
  if (typeof value === 'string' && value !== '') return;
  throw new AppvError(
    ErrorCode.USAGE,
    `${call}: ${what} must be a path (a non-empty string), not ${value === null ? 'null' : typeof value}`,
  );
}

/** What a model's field must hold for a call to read it safely (see checkModelArgument). */
export type ModelShape = Readonly<Record<string, 'object' | 'array'>>;

/**
 * Refuses a model argument that is no object, or lacks a field the call reads (`shape`), with USAGE naming
 * what the call takes, where reading its fields threw a bare TypeError (found by review:
 * `serializeBlockMap(null)`, `newVersion(5)`, then `newVersion({})`).
 */
export function checkModelArgument(value: unknown, what: string, call: string, shape: ModelShape = {}): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppvError(ErrorCode.USAGE, `${call} takes ${what}, not ${describeValue(value)}`);
  }
  // for…in rather than Object.entries: the XML queries check every element this way, in the parsers' loops.
  for (const field in shape) {
    const kind = shape[field];
    const held = (value as Record<string, unknown>)[field];
    const fits = kind === 'array' ? Array.isArray(held) : typeof held === 'object' && held !== null;
    if (!fits) {
      throw new AppvError(
        ErrorCode.USAGE,
        `${call} takes ${what}: its ${field} must be ${kind === 'array' ? 'an array' : 'an object'}, not ${describeValue(held)}`,
      );
    }
  }
}

/** Refuses a list argument that is no array (USAGE naming what the call takes). */
export function checkListArgument(value: unknown, what: string, call: string): void {
  if (Array.isArray(value)) return;
  throw new AppvError(ErrorCode.USAGE, `${call} takes an array of ${what}, not ${describeValue(value)}`);
}

/** What a wrong value is, for a message: `null`, `an array`, `a string`, `an ArrayBuffer`, `an object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object')
    return typeof value === 'undefined' ? 'undefined' : withArticle(typeof value);
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? withArticle(name) : 'an object';
}

function withArticle(word: string): string {
  return `${/^[aeiouAEIOU]/.test(word) ? 'an' : 'a'} ${word}`;
}

/** Refuses a number argument that is no finite number (a BigInt, a string): USAGE naming what the call takes. */
export function checkNumberArgument(value: unknown, what: string, call: string): asserts value is number {
  if (typeof value === 'number' && Number.isFinite(value)) return;
  throw new AppvError(ErrorCode.USAGE, `${call} takes ${what} (a number), not ${describeValue(value)}`);
}

/** Refuses a text argument that is no string (USAGE naming what the call takes). */
export function checkTextArgument(value: unknown, what: string, call: string): asserts value is string {
  if (typeof value === 'string') return;
  throw new AppvError(ErrorCode.USAGE, `${call} takes ${what} (a string), not ${describeValue(value)}`);
}
