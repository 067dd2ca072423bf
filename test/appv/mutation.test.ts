import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import {
  ErrorCode,
  editPackage,
  extractPackage,
  isAppvError,
  packageInfo,
  verifyPackage,
  WorkerPool,
} from 'appv';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, VALID_DIR } from '../helpers/fixtures.js';
import { SAMPLE_PATH } from '../helpers/make-sample.js';

// Random damage to real packages: whatever a byte changed, inserted, deleted or cut off does, every verb
// gives a report or a typed error with a known code, never a bare TypeError, a hang or a half-written file.
// (The hand-made hostile cases of verify-hostile.test.ts pin what each defect is reported as; this covers
// the damage nobody thought of.)

const dir = mkdtempSync(join(tmpdir(), 'appv-mutation-'));
const pool = new WorkerPool(2);
afterAll(async () => {
  await pool.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const CODES = new Set<string>(Object.values(ErrorCode));

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; value: number; length: number }
  | { kind: 'delete'; at: number; length: number };

/**
 * Where damage lands in a package of `length` bytes: anywhere (mostly payload data), in the first 512 bytes
 * (the first local header and data) or the last 2 KiB (the central directory and end records), where one
 * byte changes the most.
 */
function offsetIn(length: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: 0, max: length - 1 }),
    fc.integer({ min: 0, max: Math.min(511, length - 1) }),
    fc.integer({ min: Math.max(0, length - 2048), max: length - 1 }),
  );
}

/** One to three changes, mostly single bytes: a cut or a shift makes most later checks moot. */
function mutationsFor(length: number): fc.Arbitrary<Mutation[]> {
  const at = offsetIn(length);
  const byte = fc.integer({ min: 0, max: 255 });
  const run = fc.integer({ min: 1, max: 64 });
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at, value: byte }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('insert' as const), at, value: byte, length: run }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, length: run }) },
    ),
    { minLength: 1, maxLength: 3 },
  );
}

/** Applies the changes in turn; an offset past the (shortened) end lands on the last byte. */
function damage(bytes: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = Math.min(out.length - 1, m.at);
    if (at < 0) break;
    if (m.kind === 'set') out[at] = m.value === out[at] ? (m.value + 1) & 0xff : m.value;
    else if (m.kind === 'truncate') out = out.subarray(0, at);
    else if (m.kind === 'insert')
      out = Buffer.concat([out.subarray(0, at), Buffer.alloc(m.length, m.value), out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.length)]);
  }
  return out;
}

/** Resolves with the call's result, or null when it failed with a typed error of a known code. */
async function typed<T>(what: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    expect(isAppvError(error), `${what} threw ${String((error as Error)?.stack ?? error)}`).toBe(true);
    expect(
      CODES.has((error as { code: string }).code),
      `${what}: code ${(error as { code: string }).code}`,
    ).toBe(true);
    expect((error as Error).message.length).toBeGreaterThan(10);
    return null;
  }
}

/** Every file under `root`, relative, with `/` separators. */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
}

interface Outcomes {
  runs: number;
  invalid: number;
  edited: number;
  editRefused: number;
  /** Edits of an invalid input that went through (and said what they repaired). */
  repaired: number;
}

async function check(base: Buffer, mutations: Mutation[], outcomes: Outcomes): Promise<void> {
  const work = mkdtempSync(join(dir, 'case-'));
  try {
    const input = join(work, 'damaged.appv');
    writeFileSync(input, damage(base, mutations));
    outcomes.runs++;

    // verify reports damage; it throws only for an abort, an unreadable file or a usage mistake.
    const report = await verifyPackage(input, { pool });
    for (const f of report.findings) {
      expect(CODES.has(f.code), f.code).toBe(true);
      expect(f.severity).toMatch(/^(error|warning)$/);
      expect(f.message.length).toBeGreaterThan(10);
    }
    if (!report.valid) outcomes.invalid++;

    await typed('info', () => packageInfo(input));

    // extract writes only inside its target, and never leaves a temporary file behind.
    const target = join(work, 'out');
    await typed('extract', () => extractPackage(input, target));
    expect(readdirSync(work).sort()).toEqual(existsSync(target) ? ['damaged.appv', 'out'] : ['damaged.appv']);
    expect(readdirSync(dir)).toEqual([basename(work)]);
    expect(filesUnder(target).filter((name) => name.includes('.appv-tmp-'))).toEqual([]);

    // edit refuses a package it cannot copy faithfully; what it does write verifies clean, and what it
    // repaired on the way is said.
    const edited = join(work, 'edited.appv');
    const result = await typed('edit', () =>
      editPackage(input, edited, { newVersion: true, dynamicConfig: false }),
    );
    if (result === null) {
      outcomes.editRefused++;
      expect(existsSync(edited)).toBe(false);
    } else {
      outcomes.edited++;
      const again = await verifyPackage(edited, { pool });
      expect(again.findings.filter((f) => f.severity === 'error')).toEqual([]);
      // An edit that made an invalid package valid says so.
      if (!report.valid) {
        outcomes.repaired++;
        expect(
          result.warnings.map((w) => w.code),
          JSON.stringify(report.findings),
        ).toContain('APPV_INPUT_REPAIRED');
      }
    }
    expect(readdirSync(work).filter((name) => name.includes('.appv-tmp-'))).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Damages `file` in `runs` random ways and checks each (check); returns how the cases went. */
async function damageRuns(file: string, runs: number): Promise<Outcomes> {
  const base = readFileSync(file);
  const outcomes: Outcomes = { runs: 0, invalid: 0, edited: 0, editRefused: 0, repaired: 0 };
  await fc.assert(
    fc.asyncProperty(mutationsFor(base.length), (m) => check(base, m, outcomes)),
    // One case always runs: the first local header's flags (offset 6) set to 0xff, a local header that
    // disagrees with its directory entry, which edit repairs. Random cases reach that branch in ~3% of runs.
    { numRuns: runs, examples: [[[{ kind: 'set', at: 6, value: 0xff }]]] },
  );
  expect(outcomes.runs).toBe(runs); // the example counts as one of them
  return outcomes;
}

describe('randomly damaged packages', () => {
  it('the sample App-V package: every verb reports or fails typed; an edit that succeeds verifies clean', async () => {
    const outcomes = await damageRuns(join(repoRoot, SAMPLE_PATH), 200);
    // Both ways out were taken, so the property above was exercised on each: about 95% of the damage stops
    // edit, and the example case (damageRuns) is always an edit that repairs an invalid package.
    expect(outcomes.invalid).toBeGreaterThan(0);
    expect(outcomes.editRefused).toBeGreaterThan(0);
    expect(outcomes.repaired).toBeGreaterThan(0);
  }, 180_000);

  it('a real AppX: every verb reports or fails typed', async () => {
    const outcomes = await damageRuns(join(VALID_DIR, 'HelloWorld.appx'), 30);
    expect(outcomes.invalid).toBeGreaterThan(0);
    // A plain AppX is never edited (it has no App-V identity to give a new version).
    expect(outcomes.edited).toBe(0);
  }, 180_000);
});
