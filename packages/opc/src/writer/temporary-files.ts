import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { checkPathArgument } from '../option-keys.js';

/**
 * The temporary files writers put beside their targets (FORMAT.md has no say here; DEVELOPERS.md: a crash
 * never leaves a half package under the final name): how they are named, and which ones are being written
 * right now, so that a process that must end at once (a second Ctrl-C, the CLI's grace timer) can still
 * remove them synchronously instead of leaving them behind (found by review).
 */
const live = new Set<string>();

let exitHookInstalled = false;

/**
 * `file` is being written: remove it if the process has to die before its writer settles. A process that
 * simply ends with a writer never finished nor aborted (its event loop ran dry: a source stream that never
 * ended, a `finish()` never awaited) removes it too, on `exit`, instead of leaving a hidden half package
 * beside the target for ever (found by review). Installed once, on the first file, so importing the
 * library adds no listener.
 */
export function trackTemporary(file: string): void {
  live.add(file);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => removeTemporaryFilesSync());
  }
}

/** `file` was renamed into place or removed by its writer. */
export function forgetTemporary(file: string): void {
  live.delete(file);
}

/**
 * Removes a temporary file its writer gave up on, and stops tracking it; leaves it when it cannot be removed
 * (its folder turned read-only): the failure that led here is the one to report, and a cleanup error in its
 * place crashed the CLI or hid the real cause (found by review).
 */
export async function removeTemporary(file: string): Promise<void> {
  await rm(file, { force: true }).then(
    () => forgetTemporary(file),
    () => undefined,
  );
}

/**
 * Removes every temporary file still being written, synchronously (the last thing a dying process does).
 * Returns how many were removed; one that cannot be removed is left.
 */
export function removeTemporaryFilesSync(): number {
  let removed = 0;
  for (const file of live) {
    try {
      rmSync(file, { force: true });
      removed++;
    } catch {
      // Nothing more can be done in a process that is ending; the hidden name says what it was.
    }
  }
  live.clear();
  return removed;
}

/** Characters of the target's name kept in its temporary name. */
const KEPT_NAME_CHARACTERS = 64;
const RANDOM_BYTES = 6;
const TEMPORARY_SUFFIX = '.appv-tmp-';

/**
 * The most a temporary path is longer than its target's, in bytes: the dot, the suffix and the random digits
 * (the name kept is a prefix of the target's). A caller that bounds target paths (extraction's PATH_MAX
 * check) adds this, or a name it accepted could fail only when written.
 */
export const TEMPORARY_PATH_EXTRA_BYTES = 1 + TEMPORARY_SUFFIX.length + 2 * RANDOM_BYTES;

/**
 * `.<name>.appv-tmp-<random>` beside `target`: hidden, recognisably ours, unique and unguessable (so nobody
 * can plant the name first to make the write fail; O_EXCL makes a planted one harmless either way); the
 * name is cut (never inside a surrogate pair) so the total stays short.
 */
export function temporaryPathFor(target: string): string {
  checkPathArgument(target, 'the file to write', 'temporaryPathFor');
  return path.join(path.dirname(target), `${temporaryNamePrefix(target)}${randomHex(RANDOM_BYTES)}`);
}

/** `.<name cut short>.appv-tmp-`: a temporary file's name before its random part. */
function temporaryNamePrefix(target: string): string {
  const base = path.basename(target);
  let kept = Math.min(base.length, KEPT_NAME_CHARACTERS);
  if (isHighSurrogate(base.charCodeAt(kept - 1)) && kept < base.length) kept--;
  return `.${base.slice(0, kept)}${TEMPORARY_SUFFIX}`;
}

/**
 * Whether `candidate` is a temporary file of `target` (temporaryPathFor's shape, whatever its random part):
 * one left by a writer killed with SIGKILL, which nothing could remove, and which a packer must not take in
 * as payload on the next run (found by review).
 */
export function isTemporaryPathOf(candidate: string, target: string): boolean {
  checkPathArgument(candidate, 'a path', 'isTemporaryPathOf');
  const name = path.basename(candidate);
  if (!name.startsWith('.') || path.dirname(candidate) !== path.dirname(target)) return false;
  const prefix = temporaryNamePrefix(target);
  return name.startsWith(prefix) && /^[0-9a-f]+$/.test(name.slice(prefix.length));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Random bytes are drawn a thousand names at a time: a call per name cost more than a small file's write. */
let randomPool = Buffer.alloc(0);
let randomAt = 0;

function randomHex(bytes: number): string {
  if (randomAt + bytes > randomPool.length) {
    randomPool = randomBytes(1024 * bytes);
    randomAt = 0;
  }
  randomAt += bytes;
  return randomPool.toString('hex', randomAt - bytes, randomAt);
}
