import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAppvPackage } from '../helpers/appv-builder.js';
import { pseudoText } from '../helpers/content.js';
import { fixtureFiles, repoRoot } from '../helpers/fixtures.js';
import { warningOnlyPackage } from '../helpers/hostile.js';
import { sampleSpec } from '../helpers/make-sample.js';
import { craftZip } from '../helpers/zip-crafter.js';
import { readCentralDirectory } from '../helpers/zip-records.js';

/** The `appv` binary as users run it: the built file, through node, from the repository root. */
const CLI = path.join(repoRoot, 'packages/appv/dist/cli/main.js');
const SAMPLE = path.join(repoRoot, 'examples/sample/VendorApp.appv');
const VALID = [...fixtureFiles('valid'), { name: 'VendorApp.appv', path: SAMPLE }];
const INVALID = fixtureFiles('invalid');
const work = mkdtempSync(path.join(tmpdir(), 'appv-cli-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

function appv(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, maxBuffer: 1 << 30 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function json(run: Run): unknown {
  return JSON.parse(run.stdout.toString('utf8'));
}

/** `unzip` treats these as wildcards; a backslash makes them literal. */
function unzipPattern(zipName: string): string {
  return zipName.replace(/[[\]*?]/g, (c) => `\\${c}`);
}

function unzipNames(file: string): string[] {
  return execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n !== '');
}

function writePackage(name: string, bytes: Buffer): string {
  const file = path.join(work, name);
  writeFileSync(file, bytes);
  return file;
}

const NO_STACK = /^\s+at /m;

const NS = 'http://schemas.openxmlformats.org/package/2006/content-types';
/** A [Content_Types].xml for crafted ZIPs whose parts are `.bin`. */
const types = Buffer.from(
  `<?xml version="1.0"?><Types xmlns="${NS}"><Default Extension="bin" ContentType="application/octet-stream"/></Types>`,
);

/** Resolves once `ready()` holds (polling), or fails the test after 20 s. */
async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the child');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * `appv pack` in a child whose package sync never returns (a stuck disk, the worst case for a clean stop),
 * resolved once that sync has begun, with the output folder to look into.
 */
async function packStuckAtSync(label: string) {
  const source = path.join(work, `${label}-src`);
  mkdirSync(source, { recursive: true });
  writeFileSync(path.join(source, 'a.txt'), pseudoText(300_000, 3));
  const outDir = path.join(work, `${label}-out`);
  mkdirSync(outDir, { recursive: true });
  const stuck =
    'data:text/javascript,import fsp from "node:fs/promises"; import { syncBuiltinESMExports } from "node:module";' +
    ' const open = fsp.open; fsp.open = async (...a) => { const h = await open(...a);' +
    ' h.sync = () => { process.stderr.write("syncing\\n"); return new Promise(() => setInterval(() => {}, 60_000)); };' +
    ' return h; }; syncBuiltinESMExports();';
  const child = spawn(
    process.execPath,
    ['--import', stuck, CLI, 'pack', source, '-o', path.join(outDir, 'p.appv'), '--no-config'],
    { cwd: repoRoot },
  );
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, signal) => resolve([code, signal])),
  );
  await until(() => stderr.includes('syncing'));
  expect(readdirSync(outDir).some((n) => n.includes('.appv-tmp-'))).toBe(true);
  return { child, closed, outDir, stderr: () => stderr };
}

describe('appv: usage', () => {
  it('--help prints the commands, exit 0', () => {
    const r = appv('--help');
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    for (const verb of ['info', 'ls', 'cat', 'extract', 'verify', 'pack', 'edit'])
      expect(text).toContain(`  ${verb} `);
  });

  it('help <command> prints its help; help help the main one (found by review: "unknown command")', () => {
    expect(appv('help', 'pack').stdout.toString()).toMatch(/^Usage: appv pack /);
    const r = appv('help', 'help');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/^Usage: appv <command>[\s\S]*"appv help <command>"/);
  });

  it('a package that is a device or a pipe is named so (found by review: "not a regular file, not a package file")', () => {
    const r = appv('info', '/dev/null');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('appv: IO_READ_FAILED: /dev/null is a device, not a package file\n');
  });

  it('on a Node without zlib.crc32 (before 20.15) says so, exit 2, rather than fail in a worker', () => {
    // The same process as a real older Node would be, as far as appv can tell: zlib has no crc32.
    const older = 'data:text/javascript,import zlib from "node:zlib"; zlib.crc32 = undefined;';
    const r = spawnSync(process.execPath, ['--import', older, CLI, 'ls', SAMPLE]);
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(
      /^appv: needs Node\.js 20\.15 or later \(for zlib\.crc32\); this is v/,
    );
    expect(r.stdout.toString()).toBe('');
  });

  it('pnpm appv takes paths relative to where it was typed (INIT_CWD), not the repository root', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'scripts/appv.mjs'), 'info', '--json', 'sample/VendorApp.appv'],
      {
        cwd: repoRoot,
        env: { ...process.env, INIT_CWD: path.join(repoRoot, 'examples') },
      },
    );
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ displayName: 'Vendor App' });
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'packages/appv/package.json'), 'utf8'));
    const r = appv('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.toString().trim()).toBe(version);
  });

  it.each(['info', 'ls', 'cat', 'extract', 'verify'])('%s --help exits 0 with a usage line', (verb) => {
    const r = appv(verb, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(new RegExp(`^Usage: appv ${verb} `));
  });

  it.each([
    ['no arguments', []],
    ['an unknown command', ['frobnicate', SAMPLE]],
    ['an unknown option', ['info', '--frobnicate', SAMPLE]],
    ['a missing package', ['info']],
    ['too many arguments', ['ls', SAMPLE, SAMPLE]],
    ['cat without a part', ['cat', SAMPLE]],
    ['extract without -o', ['extract', SAMPLE]],
    ['verify --threads 0', ['verify', SAMPLE, '--threads', '0']],
    ['verify --threads abc', ['verify', SAMPLE, '--threads', 'abc']],
    [
      'verify --threads 100000 (each thread an isolate, all started at once)',
      ['verify', SAMPLE, '--threads', '100000'],
    ],
  ])('%s: exit 2, a one-line hint, no stack', (_label, args) => {
    const r = appv(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(NO_STACK);
    if (args.length > 0) {
      expect(r.stderr).toMatch(/^appv: USAGE: .*\(see "appv( \w+)? --help"\)\n$/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it.each([
    ['info'],
    ['ls'],
    ['cat', 'AppxManifest.xml'],
    ['extract', '-o', path.join(work, 'never')],
    ['verify'],
  ])('%s on a nonexistent file: exit 2, IO_READ_FAILED', (verb, ...rest) => {
    const r = appv(verb, path.join(work, 'no-such.appv'), ...rest);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^appv: IO_READ_FAILED: /);
    expect(r.stderr).not.toMatch(NO_STACK);
    // The package's path is the error's `file`, never its `part` (which names items; found by review).
    const j = appv(verb, path.join(work, 'no-such.appv'), ...rest, '--json');
    expect(json(j)).toEqual({
      error: {
        code: 'IO_READ_FAILED',
        message: expect.any(String),
        part: null,
        offset: null,
        block: null,
        file: path.join(work, 'no-such.appv'),
      },
    });
  });

  it('an error about a file on disk names it in `file` for pack, edit and extract too (found by review)', () => {
    const missing = path.join(work, 'no-such-dir');
    const packed = json(appv('pack', missing, '-o', path.join(work, 'p.appv'), '--json')) as {
      error: { code: string; file: string | null };
    };
    expect(packed.error).toMatchObject({ code: 'PACK_SOURCE_UNREADABLE', file: missing });
    const absent = path.join(work, 'no-such.txt');
    const edited = json(
      appv('edit', SAMPLE, '-o', path.join(work, 'e.appv'), '--add', `Root/x.txt=${absent}`, '--json'),
    ) as { error: { code: string; file: string | null } };
    expect(edited.error).toMatchObject({ code: 'PACK_SOURCE_UNREADABLE', file: absent });
    const target = path.join(work, 'extract-file-field');
    mkdirSync(path.join(target, 'AppxManifest.xml'), { recursive: true });
    const extracted = appv('extract', SAMPLE, '-o', target, '--overwrite', '--json');
    expect(extracted.status).toBe(2);
    expect(json(extracted)).toMatchObject({
      error: {
        code: 'IO_TARGET_EXISTS',
        part: 'AppxManifest.xml',
        file: path.join(target, 'AppxManifest.xml'),
      },
    });
    // Refused before anything was written: the folder holds only what was in the way.
    expect(readdirSync(target)).toEqual(['AppxManifest.xml']);
    // A package that is there but cannot be listed is the file the error is about too.
    const cut = path.join(work, 'cut.appv');
    writeFileSync(cut, readFileSync(SAMPLE).subarray(0, 24_000));
    expect(json(appv('ls', cut, '--json'))).toMatchObject({ error: { code: 'ZIP_TRUNCATED', file: cut } });
  });

  it.each([
    ['a mistyped command', ['infoo', SAMPLE], /unknown command "infoo" \(did you mean "info"\?\)/],
    [
      'an option before the command',
      ['--overwrite', 'extract', SAMPLE, '-o', 'x.appv'],
      /"--overwrite" is not a command: options go after/,
    ],
    ['help on an unknown command', ['help', 'nosuch'], /unknown command "nosuch"/],
    ['an empty package name (an unset variable)', ['info', ''], /^appv: USAGE: <package> is empty/],
    ['a mistyped option', ['info', '--jsn', SAMPLE], /unknown option --jsn \(did you mean --json\?\)/],
    [
      "another verb's option (found by review: parseArgs' advice, with an unbalanced quote)",
      ['info', SAMPLE, '--threads', '2'],
      /^appv: USAGE: unknown option --threads; appv info takes --json, -h\/--help \(see "appv info --help"\)\n$/,
    ],
    ['a short option of another verb', ['ls', SAMPLE, '-o', 'x'], /unknown option -o; appv ls takes --json/],
    ['an option one letter short', ['verify', '--thread', '2', SAMPLE], /did you mean --threads\?/],
    [
      "another verb's spelling",
      ['edit', SAMPLE, '-o', 'x.appv', '--version', '1.2.3.4'],
      /unknown option --version \(did you mean --set-version\?\)/,
    ],
    [
      'a file named like options',
      ['info', '-dash.appv'],
      /goes after "--" \(appv info -- -dash\.appv\) or as \.\/-dash\.appv/,
    ],
    [
      'a value taken for the option',
      ['verify', '--threads', SAMPLE],
      /got none \(--threads took ".*VendorApp\.appv" as its value\)/,
    ],
    ['an output without -o', ['extract', SAMPLE, 'outdir'], /the output goes after -o: -o "outdir"/],
    [
      '-o=value',
      ['extract', SAMPLE, '-o=out'],
      /-o=out: a short option takes its value after a space \(-o out, or --output=out\)/,
    ],
    [
      'an option given twice',
      ['verify', '--threads', '1', '--threads', '2', SAMPLE],
      /--threads given twice \("1" and "2"\)/,
    ],
    [
      'a missing -o value',
      ['extract', SAMPLE, '-o', '--overwrite'],
      /argument is ambiguous\. .*--output=-XYZ/,
    ],
    // An identity value the manifest cannot take is the flag's mistake, named by the flag (it was
    // APPV_MANIFEST_INVALID, naming nothing the user typed).
    [
      'a glob for --store (found by review: accepted, it matched nothing)',
      ['pack', 'examples/vendor-app', '-o', 'x.appv', '--store', 'zip,*.exe'],
      /^appv: USAGE: --store takes extensions such as zip,iso or \.iso, not "\*\.exe"/m,
    ],
    ['an empty --store', ['pack', 'examples/vendor-app', '-o', 'x.appv', '--store', ''], /not nothing/],
    [
      'a version of three parts',
      ['pack', 'examples/vendor-app', '-o', 'x.appv', '--version', '1.2.3'],
      /^appv: USAGE: --version: package version "1\.2\.3" is invalid: .* \(see "appv pack --help"\)$/m,
    ],
    [
      'a name with a space',
      ['pack', 'examples/vendor-app', '-o', 'x.appv', '--name', 'Vendor App'],
      /^appv: USAGE: --name: package name "Vendor App" is invalid/m,
    ],
    [
      'a publisher that is no DN',
      ['pack', 'examples/vendor-app', '-o', 'x.appv', '--publisher', 'Vendor'],
      /--publisher: publisher "Vendor" is not a distinguished name/,
    ],
    [
      'a PackageId that is no GUID',
      ['pack', 'examples/vendor-app', '-o', 'x.appv', '--package-id', 'nope'],
      /--package-id: PackageId "nope" is not a GUID/,
    ],
    [
      'a blank display name',
      ['edit', SAMPLE, '-o', 'x.appv', '--display-name', ' '],
      /--display-name: display name " " must be/,
    ],
    [
      'a VersionId that is no GUID',
      ['edit', SAMPLE, '-o', 'x.appv', '--version-id', '12'],
      /--version-id: VersionId "12" is not a GUID/,
    ],
    [
      'a set version of one part',
      ['edit', SAMPLE, '-o', 'x.appv', '--set-version', '7'],
      /--set-version: package version "7" is invalid: .*\(see "appv edit --help"\)$/m,
    ],
  ])('%s: USAGE names what was likely meant (found by review)', (_label, args, message) => {
    const r = appv(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^appv: USAGE: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout.length).toBe(0);
    expect(
      readdirSync(repoRoot).filter((n) => n.startsWith('=') || n === 'outdir' || n === 'x.appv'),
    ).toEqual([]);
  });

  it("a missing package or a folder is said in words, not as Node's errno text (found by review)", () => {
    const missing = appv('info', path.join(work, 'no-such.appv'));
    expect(missing.stderr).toBe(
      `appv: IO_READ_FAILED: ${path.join(work, 'no-such.appv')}: no such file or directory (ENOENT)\n`,
    );
    const folder = appv('info', work);
    expect(folder.stderr).toBe(`appv: IO_READ_FAILED: ${work} is a directory, not a package file\n`);
  });

  it('verify on a package cut short: exit 1, ZIP_TRUNCATED saying it is truncated (not that it is no ZIP)', () => {
    const cut = path.join(work, 'cut-short.appv');
    const whole = readFileSync(SAMPLE);
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const r = appv('verify', cut);
    expect(r.status).toBe(1);
    expect(r.stdout.toString('utf8')).toMatch(
      /^error ZIP_TRUNCATED: .*starts with a ZIP local file header .*: it is truncated$/m,
    );
    const report = json(appv('verify', cut, '--json')) as { findings: { code: string }[] };
    expect(report.findings.map((f) => f.code)).toEqual(['ZIP_TRUNCATED']);
  });

  it('info on a file that is not a ZIP: exit 2 with the code', () => {
    const r = appv('info', path.join(repoRoot, '../shared/fixtures/msix/invalid/Empty.appx'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^appv: ZIP_NOT_A_ZIP: /);
  });
});

describe('appv on valid packages', () => {
  it.each(VALID)('info $name: exit 0, human and --json', ({ path: file }) => {
    const human = appv('info', file);
    expect(human.status).toBe(0);
    expect(human.stdout.toString()).toMatch(/^Name {2,}\S/m);
    const r = appv('info', file, '--json');
    expect(r.status).toBe(0);
    const info = json(r) as Record<string, unknown>;
    expect(typeof info.name).toBe('string');
    expect(typeof info.version).toBe('string');
    expect(Array.isArray(info.applications)).toBe(true);
    expect(Array.isArray(info.featureBlocks)).toBe(true);
    expect(info.partCount).toBe(unzipNames(file).length - 1);
  });

  it('info --json on the sample has its App-V identity and both feature blocks', () => {
    const info = json(appv('info', SAMPLE, '--json')) as {
      packageId: string;
      appvSchemaVersion: string;
      featureBlocks: { id: string; compressedBytes: number }[];
    };
    expect(info.packageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.appvSchemaVersion).toBe('2010');
    expect(info.featureBlocks.map((b) => b.id).sort()).toEqual([
      'PrimaryFeatureBlock',
      'PublishingFeatureBlock',
    ]);
    for (const block of info.featureBlocks) expect(block.compressedBytes).toBeGreaterThan(0);
  });

  it.each(VALID)('ls --json $name lists as many items as unzip -Z1, in order', ({ path: file }) => {
    const r = appv('ls', file, '--json');
    expect(r.status).toBe(0);
    const { items } = json(r) as { items: { zipName: string; name: string; size: number; crc32: number }[] };
    expect(items.map((i) => i.zipName)).toEqual(unzipNames(file));
    const human = appv('ls', file);
    expect(human.status).toBe(0);
    // Header, one line per item, summary.
    expect(human.stdout.toString().trimEnd().split('\n')).toHaveLength(items.length + 2);
  });

  it.each(VALID)('cat $name: every part equals unzip -p', ({ path: file }) => {
    // HelloWorld has 124 items: a spread of them (first, last, every 10th) keeps the test fast.
    const names = unzipNames(file);
    const chosen = names.filter((_, i) => names.length <= 20 || i % 10 === 0 || i === names.length - 1);
    chosen.push(...names.filter((n) => n.includes('%') || n.startsWith('[')));
    for (const zipName of new Set(chosen)) {
      const expected = execFileSync('unzip', ['-p', file, unzipPattern(zipName)], { maxBuffer: 1 << 30 });
      const r = appv('cat', file, zipName);
      expect(r.status, `${zipName}: ${r.stderr}`).toBe(0);
      expect(r.stdout.equals(expected), zipName).toBe(true);
    }
  });

  it('cat accepts the decoded name with backslashes, case-insensitively', () => {
    const zipName = 'Root/VFS/ProgramFilesX86/Vendor%20App/app.exe';
    const expected = execFileSync('unzip', ['-p', SAMPLE, zipName], { maxBuffer: 1 << 30 });
    const r = appv('cat', SAMPLE, 'root\\vfs\\programfilesx86\\vendor app\\APP.EXE');
    expect(r.status).toBe(0);
    expect(r.stdout.equals(expected)).toBe(true);
  });

  it('cat --json carries the bytes as base64', () => {
    const zipName = 'Root/VFS/ProgramFilesX86/Vendor%20App/app.exe';
    const expected = execFileSync('unzip', ['-p', SAMPLE, zipName], { maxBuffer: 1 << 30 });
    const r = appv('cat', SAMPLE, zipName, '--json');
    expect(r.status).toBe(0);
    const out = json(r) as { zipName: string; size: number; encoding: string; data: string };
    expect(out).toMatchObject({ zipName, size: expected.length, encoding: 'base64' });
    expect(Buffer.from(out.data, 'base64').equals(expected)).toBe(true);
  });

  it('cat of a missing part: exit 2, OPC_PART_NOT_FOUND', () => {
    const r = appv('cat', SAMPLE, 'No\\Such\\Part.dll');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^appv: OPC_PART_NOT_FOUND: /);
  });

  it('cat into a pipe closed early exits 0 without an error (EPIPE)', () => {
    const big = path.join(repoRoot, '../shared/fixtures/msix/valid/NotepadPlusPlus.appx');
    const part = unzipNames(big).find((n) => n.endsWith('.exe')) ?? '';
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"$0" "$1" cat "$2" "$3" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`,
        process.execPath,
        CLI,
        big,
        part,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stdout.trim()).toBe('0');
    expect(r.stderr).toBe('');
  });

  it.each(VALID)('verify $name: exit 0, human summary and --json shape', ({ path: file }) => {
    const human = appv('verify', file);
    expect(human.status).toBe(0);
    expect(human.stdout.toString().trimEnd().split('\n').at(-1)).toMatch(/: valid/);
    const r = appv('verify', file, '--json', '--threads', '2');
    expect(r.status).toBe(0);
    const report = json(r) as Record<string, unknown>;
    expect(Object.keys(report).slice(0, 2)).toEqual(['valid', 'findings']);
    expect(report.valid).toBe(true);
    expect(report.findings).toEqual(
      (report.findings as unknown[]).filter((f) => (f as { severity: string }).severity === 'warning'),
    );
  });

  it.each(VALID)(
    'extract $name: exit 0, then refuses to overwrite, then overwrites',
    ({ name, path: file }) => {
      const target = path.join(work, `extract-${name}`);
      const first = appv('extract', file, '-o', target, '--json');
      expect(first.status, first.stderr).toBe(0);
      const result = json(first) as { files: number; bytes: number };
      expect(result.files).toBe(unzipNames(file).length);
      const again = appv('extract', file, '-o', target);
      expect(again.status).toBe(2);
      expect(again.stderr).toMatch(
        /^appv: IO_TARGET_EXISTS: .*already exists \(the overwrite option replaces it\)/,
      );
      const forced = appv('extract', file, '--output', target, '--overwrite');
      expect(forced.status).toBe(0);
      expect(forced.stdout.toString()).toMatch(/^Extracted \d+ file\(s\)/);
    },
  );
});

describe('appv output on hostile packages and broken outputs', () => {
  it('ls shows control characters in names as escapes, never raw to the terminal', () => {
    const file = writePackage(
      'escape.zip',
      craftZip([
        { name: '[Content_Types].xml', data: types },
        // Flagged UTF-8 (bit 11), so the override character is decoded as one.
        { name: 'evil\x1b]0;pwned\x07\x1b[31mRED\u202e.bin', data: Buffer.from('hi'), flags: 0x0800 },
      ]).bytes,
    );
    const r = appv('ls', file);
    expect(r.status).toBe(0);
    const text = r.stdout.toString('utf8');
    expect(text).toContain('evil\\x1b]0;pwned\\x07\\x1b[31mRED\\u202e.bin');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach the terminal
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e]/);
    // --json keeps the name as it is (JSON escapes it).
    expect((json(appv('ls', file, '--json')) as { items: { name: string }[] }).items[1]?.name).toBe(
      'evil\x1b]0;pwned\x07\x1b[31mRED\u202e.bin',
    );
  });

  it('ls of many rows with one long cell stays proportional to the package', () => {
    // A long value in a padded column is clipped, so it is not repeated as padding on every row.
    const long = `application/x-${'a'.repeat(120)}`;
    const entries = [
      {
        name: '[Content_Types].xml',
        data: Buffer.from(
          `<?xml version="1.0"?><Types xmlns="${NS}"><Default Extension="bin" ContentType="a/b"/><Override PartName="/long.bin" ContentType="${long}"/></Types>`,
        ),
      },
      { name: 'long.bin', data: Buffer.from('x') },
      ...Array.from({ length: 500 }, (_, i) => ({ name: `f${i}.bin`, data: Buffer.from('y') })),
    ];
    const r = appv('ls', writePackage('long-cell.zip', craftZip(entries).bytes));
    expect(r.status).toBe(0);
    const lines = r.stdout.toString('utf8').split('\n');
    expect(lines.find((l) => l.endsWith('long.bin'))).toContain('…');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(200);
  });

  it('cat --json of a corrupt part prints only the error as JSON on stdout, exit 2', () => {
    const data = Buffer.alloc(200_000, 5);
    const file = writePackage(
      'crc.zip',
      craftZip([
        { name: '[Content_Types].xml', data: types },
        { name: 'crc.bin', data, crc32: 0x12345678 },
      ]).bytes,
    );
    const r = appv('cat', file, 'crc.bin', '--json');
    expect(r.status).toBe(2);
    // None of the part's bytes: the one JSON document is the error (found by review: errors were stderr text).
    expect(json(r)).toEqual({
      error: {
        code: 'CRC_MISMATCH',
        message: expect.any(String),
        part: 'crc.bin',
        offset: expect.any(Number),
        block: null,
        file: null,
      },
    });
    expect(r.stderr).toMatch(/^appv: CRC_MISMATCH: /);
  });

  it('cat takes the OPC form of a part name, with its leading slash', () => {
    const r = appv('cat', SAMPLE, '/AppxManifest.xml');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.toString('utf8')).toContain('<Package');
  });

  it('an output that cannot be written (a full disk) is IO_WRITE_FAILED, exit 2, no stack', () => {
    const r = spawnSync('bash', ['-c', '"$0" "$1" ls "$2" > /dev/full', process.execPath, CLI, SAMPLE], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^appv: IO_WRITE_FAILED: cannot write the output: ENOSPC/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('a stderr closed early does not crash it with an unhandled error event', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"$0" "$1" cat "$2" nonexistent 2>&1 >/dev/null | (exec 0<&-; sleep 0.5); echo "\${PIPESTATUS[0]}"`,
        process.execPath,
        CLI,
        SAMPLE,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout.trim()).toBe('2');
  });
});

describe('appv verify on a package whose only finding is a warning', () => {
  // README: exit status 0 valid (warnings allowed), 1 when verify found errors.
  it('exits 0, prints the warning and says valid with 1 warning, in both output modes', () => {
    const file = writePackage('warning-only.appv', warningOnlyPackage());
    const human = appv('verify', file);
    expect(human.status).toBe(0);
    const lines = human.stdout.toString().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warning APPV_APPLICATION_TARGET_MISSING AppxManifest\.xml: /);
    expect(lines[1]).toMatch(/: valid with 1 warning\(s\) \(/);
    const r = appv('verify', file, '--json');
    expect(r.status).toBe(0);
    expect(json(r)).toMatchObject({
      valid: true,
      findings: [{ code: 'APPV_APPLICATION_TARGET_MISSING', severity: 'warning' }],
    });
  });
});

describe('appv verify on invalid packages', () => {
  it.each(INVALID)('$name: exit 1, findings in the documented shape', ({ path: file }) => {
    const human = appv('verify', file);
    expect(human.status).toBe(1);
    expect(human.stdout.toString()).toMatch(/^error [A-Z0-9_]+/m);
    expect(human.stdout.toString()).toMatch(/INVALID/);
    const r = appv('verify', file, '--json');
    expect(r.status).toBe(1);
    const report = json(r) as { valid: boolean; findings: Record<string, unknown>[] };
    expect(report.valid).toBe(false);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings) {
      expect(Object.keys(finding)).toEqual(['code', 'severity', 'part', 'block', 'message']);
      expect(finding.code).toMatch(/^[A-Z0-9_]+$/);
      expect(['error', 'warning']).toContain(finding.severity);
      expect(finding.part === null || typeof finding.part === 'string').toBe(true);
      expect(finding.block === null || typeof finding.block === 'number').toBe(true);
      expect(typeof finding.message).toBe('string');
    }
  });

  it('prints a hash mismatch as "error HASH_MISMATCH <part> block <n>: ..."', () => {
    const spec = sampleSpec();
    spec.tamper = {
      blockMap: (files) => {
        const exe = files.find((f) => f.name.endsWith('app.exe'));
        const block = exe?.blocks[3];
        if (block) block.hash = Buffer.alloc(32, 1).toString('base64');
        return files;
      },
    };
    const file = writePackage('hash-mismatch.appv', buildAppvPackage(spec).bytes);
    const r = appv('verify', file);
    expect(r.status).toBe(1);
    expect(r.stdout.toString()).toMatch(
      /^error HASH_MISMATCH Root\\VFS\\ProgramFilesX86\\Vendor App\\app\.exe block 3: /m,
    );
    const report = json(appv('verify', file, '--json')) as {
      findings: { code: string; block: number | null }[];
    };
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'HASH_MISMATCH', block: 3 }));
  });

  it('says the place of each finding once per line, though its message names it too (found by review)', () => {
    const fixture = INVALID.find((f) => f.name === 'Size_wrong_uncompressed.msix');
    const r = appv('verify', fixture?.path ?? '');
    expect(r.status).toBe(1);
    const lines = r.stdout
      .toString()
      .split('\n')
      .filter((line) => line.startsWith('error '));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const place = /^error \w+ ([^:]+): /.exec(line)?.[1] ?? '';
      expect(place, line).not.toBe('');
      expect(line.split(place).length - 1, line).toBe(1);
    }
    const json = JSON.parse(appv('verify', '--json', fixture?.path ?? '').stdout.toString());
    // The library's messages keep their place: only the human line drops the repeat.
    expect(
      json.findings.some(
        (f: { part: string | null; message: string }) => f.part && f.message.startsWith(f.part),
      ),
    ).toBe(true);
  });

  it('cat of a part that is not there quotes the name and says where to look', () => {
    const r = appv('cat', SAMPLE, 'no such');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'appv: OPC_PART_NOT_FOUND: No part named "no such" in the package (appv ls lists them)\n',
    );
    // An empty name (an unset variable) is the command line's mistake, said as such (found by review).
    const empty = appv('cat', SAMPLE, '');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toBe('appv: USAGE: <part> is empty (an unset variable?) (see "appv cat --help")\n');
  });
});

describe('appv extract on hostile packages', () => {
  it('refuses a traversal name with EXTRACT_PATH_UNSAFE, exit 2, writing nothing', () => {
    const bytes = craftZip([
      { name: 'good.txt', data: Buffer.from('ok') },
      { name: '../evil.txt', data: Buffer.from('pwned') },
    ]).bytes;
    const file = writePackage('traversal.zip', bytes);
    const target = path.join(work, 'hostile-out');
    mkdirSync(target);
    const r = appv('extract', file, '-o', target);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^appv: EXTRACT_PATH_UNSAFE: /);
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(work)).not.toContain('evil.txt');
  });
});

describe('the runnable examples', () => {
  it('examples/extract.mjs reports a file that is no package as an error line, exit 2 (found by review)', () => {
    const empty = fixtureFiles('invalid').find((f) => f.name === 'Empty.appx')?.path as string;
    const r = spawnSync(process.execPath, ['examples/extract.mjs', empty, path.join(work, 'example-out')], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ZIP_NOT_A_ZIP: /);
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('appv and SIGTERM', () => {
  it('pack stops cleanly on SIGTERM: exit 143, no package, no temporary file (found by review)', async () => {
    const source = path.join(work, 'term-src');
    mkdirSync(source, { recursive: true });
    const chunk = pseudoText(4 * 1024 * 1024, 7);
    for (let i = 0; i < 16; i++) writeFileSync(path.join(source, `f${i}.txt`), chunk);
    const outDir = path.join(work, 'term-out');
    mkdirSync(outDir, { recursive: true });
    const child = spawn(process.execPath, [CLI, 'pack', source, '-o', path.join(outDir, 'p.appv')], {
      cwd: repoRoot,
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (code, signal) => resolve([code, signal])),
    );
    // Terminated while the package is being written: once its temporary file exists.
    const deadline = Date.now() + 20_000;
    while (!readdirSync(outDir).some((n) => n.includes('.appv-tmp-')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    // Without a temporary file the test would prove nothing (found by the test audit).
    expect(readdirSync(outDir).some((n) => n.includes('.appv-tmp-'))).toBe(true);
    child.kill('SIGTERM');
    const [code, signal] = await closed;
    expect(code === 143 || signal === 'SIGTERM', `${code} ${signal} ${stderr}`).toBe(true);
    expect(readdirSync(outDir)).toEqual([]);
    expect(stderr).not.toMatch(NO_STACK);
    // Said as what it was, not as a Ctrl-C (found by review).
    expect(stderr).toContain('appv: terminated (SIGTERM)');
    expect(stderr).not.toContain('interrupted');
  });
});

describe('appv stopped while its package cannot be finished (found by review)', () => {
  it('Ctrl-C: after the grace period it still removes the temporary file, exit 130', async () => {
    const run = await packStuckAtSync('grace');
    run.child.kill('SIGINT');
    const [code, signal] = await run.closed;
    expect(code === 130 || signal === 'SIGINT', `${code} ${signal} ${run.stderr()}`).toBe(true);
    expect(readdirSync(run.outDir)).toEqual([]);
    expect(run.stderr()).toContain('appv: interrupted');
  });

  it('a second Ctrl-C ends it at once and removes the temporary file', async () => {
    const run = await packStuckAtSync('twice');
    run.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    run.child.kill('SIGINT');
    const [code, signal] = await run.closed;
    expect(code === 130 || signal === 'SIGINT', `${code} ${signal}`).toBe(true);
    expect(readdirSync(run.outDir)).toEqual([]);
  });

  it('SIGHUP (the terminal closed) stops it as cleanly: exit 129, no temporary file', async () => {
    const run = await packStuckAtSync('hangup');
    run.child.kill('SIGHUP');
    const [code, signal] = await run.closed;
    expect(code === 129 || signal === 'SIGHUP', `${code} ${signal}`).toBe(true);
    expect(readdirSync(run.outDir)).toEqual([]);
    expect(run.stderr()).toContain('appv: hung up (SIGHUP)');
  });
});

describe('appv and Ctrl-C', () => {
  it('Ctrl-C once the package is in place: the work is done, exit 0, and stderr says so (found by review: 130)', () => {
    // An edit in place: once its rename is done the input is replaced, so "stopped, nothing changed" (130)
    // would be false. The signal is sent by the process to itself right after that rename.
    const pkg = path.join(work, 'ctrl-c-late.appv');
    writeFileSync(pkg, readFileSync(SAMPLE));
    const lateSignal = [
      'data:text/javascript,import fsp from "node:fs/promises"; import { syncBuiltinESMExports } from "node:module";',
      'const rename = fsp.rename;',
      'fsp.rename = async (from, to) => { await rename(from, to);',
      'if (String(to).endsWith(".appv")) process.kill(process.pid, "SIGINT"); };',
      'syncBuiltinESMExports();',
    ].join(' ');
    const r = spawnSync(
      process.execPath,
      ['--import', lateSignal, CLI, 'edit', pkg, '-o', pkg, '--new-version'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Package /);
    // The signal reaches the process while the verb is still ending (workers stopping): it is said.
    expect(r.stderr).toBe('appv: interrupted after the work was done; it is complete\n');
    expect(appv('verify', pkg).status).toBe(0);
    expect(json(appv('info', pkg, '--json'))).toMatchObject({ version: '0.0.0.2' });
  });

  it('refuses a FIFO as the package at once (it would wait for a writer forever), exit 2', () => {
    const fifo = path.join(work, 'stuck.appv');
    execFileSync('mkfifo', [fifo]);
    const r = spawnSync(process.execPath, [CLI, 'info', fifo], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^appv: IO_READ_FAILED: .*stuck\.appv is a pipe, not a package file\n$/);
  });

  it('exits 130 without a stack trace, even when the work cannot be cancelled', async () => {
    // An open() that never returns (a stuck network mount): the worst case for cancellation. The preload
    // makes every fs/promises open hang, as such a mount would (its timer keeps the process alive, as the
    // thread pool's pending request would).
    const stuck =
      'data:text/javascript,import fsp from "node:fs/promises"; import { syncBuiltinESMExports } from "node:module";' +
      ' fsp.open = () => { process.stderr.write("opening\\n"); return new Promise(() => setInterval(() => {}, 60_000)); };' +
      ' syncBuiltinESMExports();';
    const child = spawn(process.execPath, ['--import', stuck, CLI, 'info', SAMPLE], { cwd: repoRoot });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Once it opens the package its handlers are in place (a fixed wait raced a slow start under load).
    await until(() => stderr.includes('opening'));
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    );
    // Either exit status 130 or death by SIGINT, which shells report as 130.
    expect(code === 130 || signal === 'SIGINT').toBe(true);
    expect(stderr).toContain('appv: interrupted');
    expect(stderr).not.toMatch(NO_STACK);
  });

  it('cat --json interrupted while its document streams: no second document after the cut one (found by review)', async () => {
    const data = randomBytes(24 * 1024 * 1024);
    const file = writePackage(
      'cat-cut.zip',
      craftZip([
        { name: '[Content_Types].xml', data: types },
        { name: 'big.bin', data, method: 'stored' },
      ]).bytes,
    );
    const child = spawn(process.execPath, [CLI, 'cat', file, 'big.bin', '--json'], { cwd: repoRoot });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const out: Buffer[] = [];
    // Held at its first chunk: the pipe fills and the document is cut where it stands when the signal comes.
    await new Promise<void>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => {
        out.push(chunk);
        child.stdout.pause();
        resolve();
      }),
    );
    child.kill('SIGINT');
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stdout.resume();
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    );
    expect(code === 130 || signal === 'SIGINT', `${code} ${signal} ${stderr}`).toBe(true);
    const stdout = Buffer.concat(out).toString('utf8');
    expect(stdout.startsWith('{\n  "name": "big.bin"')).toBe(true);
    expect(stdout).not.toContain('"error"');
    expect(stderr).toContain('appv: interrupted');
  });
});

describe('appv pack and edit', () => {
  const APP = path.join(repoRoot, 'examples/vendor-app');
  const VENDOR_VFS = ['--vfs', 'ProgramFilesX86/Vendor App'] as const;

  it('every --json document has the keys the README lists, in its order (stable keys for scripts)', () => {
    const dir = path.join(work, 'json-keys');
    mkdirSync(dir, { recursive: true });
    const out = path.join(dir, 'k.appv');
    const keysOf = (...args: string[]) => {
      const r = appv(...args, '--json');
      expect(r.status, r.stderr).toBe(0);
      return json(r) as Record<string, unknown>;
    };
    const packed = keysOf('pack', APP, '-o', out, ...VENDOR_VFS);
    expect(Object.keys(packed)).toEqual([
      'output',
      'layout',
      'name',
      'version',
      'packageId',
      'versionId',
      'files',
      'emptyDirectories',
      'bytes',
      'size',
      'configs',
      'warnings',
      'itemCount',
    ]);
    const info = keysOf('info', out);
    expect(Object.keys(info)).toEqual([
      'name',
      'publisher',
      'version',
      'packageId',
      'versionId',
      'appvSchemaVersion',
      'displayName',
      'applications',
      'featureBlocks',
      'loadAll',
      'partCount',
      'itemCount',
      'uncompressedBytes',
      'compressedBytes',
      'compressionRatio',
      'problems',
      'containerFindings',
    ]);
    const [application] = info.applications as object[];
    expect(Object.keys(application ?? {})).toEqual(['id', 'name', 'target', 'version']);
    const [block] = info.featureBlocks as object[];
    expect(Object.keys(block ?? {})).toEqual([
      'id',
      'loadAll',
      'files',
      'blocks',
      'uncompressedBytes',
      'compressedBytes',
    ]);
    const [item] = keysOf('ls', out).items as object[];
    expect(Object.keys(item ?? {})).toEqual([
      'name',
      'zipName',
      'size',
      'compressedSize',
      'method',
      'blocks',
      'contentType',
      'crc32',
    ]);
    expect(Object.keys(keysOf('cat', out, 'AppxManifest.xml'))).toEqual([
      'name',
      'zipName',
      'size',
      'contentType',
      'crc32',
      'encoding',
      'data',
    ]);
    expect(Object.keys(keysOf('extract', out, '-o', path.join(dir, 'x')))).toEqual([
      'files',
      'directories',
      'bytes',
      'problems',
    ]);
    expect(Object.keys(keysOf('edit', out, '-o', path.join(dir, 'e.appv'), '--new-version'))).toEqual([
      'output',
      'name',
      'version',
      'packageId',
      'versionId',
      'copied',
      'added',
      'removed',
      'size',
      'configs',
      'warnings',
      'itemCount',
    ]);
  });

  it('pack --json → verify → edit --new-version --json → verify, all exit 0', () => {
    const out = path.join(work, 'cli-pack', 'VendorApp.appv');
    mkdirSync(path.dirname(out), { recursive: true });
    const packed = appv(
      'pack',
      APP,
      '-o',
      out,
      '--vfs',
      'ProgramFilesX86/Vendor App',
      '--name',
      'Vendor.App',
      '--json',
    );
    expect(packed.stderr).toBe('');
    expect(packed.status).toBe(0);
    const summary = json(packed) as { name: string; files: number; packageId: string; configs: string[] };
    expect(summary.name).toBe('Vendor.App');
    expect(summary.files).toBe(5);
    expect(summary.configs.map((c) => path.basename(c))).toEqual([
      'VendorApp_DeploymentConfig.xml',
      'VendorApp_UserConfig.xml',
    ]);
    expect(appv('verify', out).status).toBe(0);
    // One count under one name in every verb (found by review: pack said "parts" for info's itemCount).
    const counts = json(appv('info', out, '--json')) as { itemCount: number };
    expect((summary as unknown as { itemCount: number }).itemCount).toBe(counts.itemCount);
    expect(summary).not.toHaveProperty('parts');

    const next = path.join(work, 'cli-pack', 'VendorApp-2.appv');
    const edited = appv('edit', out, '-o', next, '--new-version', '--json');
    expect(edited.status).toBe(0);
    const result = json(edited) as { packageId: string; versionId: string; version: string; copied: number };
    expect(result.packageId).toBe(summary.packageId);
    expect(result.version).toBe('0.0.0.2');
    expect(appv('verify', next).status).toBe(0);
  });

  it('pack --store: the extensions listed (comma-separated, repeated, with or without the dot) are stored', () => {
    const source = path.join(work, 'store-src');
    mkdirSync(source, { recursive: true });
    // Zeros deflate well: only --store explains a stored part.
    for (const name of ['zeros.dat', 'zeros.bin', 'zeros.log', 'zeros.txt'])
      writeFileSync(path.join(source, name), Buffer.alloc(70_000));
    const methodsOf = (out: string) =>
      Object.fromEntries(
        readCentralDirectory(readFileSync(out))
          .filter((h) => h.name.startsWith('Root/'))
          .map((h) => [h.name.slice(h.name.lastIndexOf('/') + 1), h.method]),
      );
    const stored = path.join(work, 'store-out', 'stored.appv');
    mkdirSync(path.dirname(stored), { recursive: true });
    const r = appv('pack', source, '-o', stored, '--no-config', '--store', 'dat,.BIN', '--store', 'log');
    expect(r.status, r.stderr).toBe(0);
    expect(methodsOf(stored)).toEqual({ 'zeros.bin': 0, 'zeros.dat': 0, 'zeros.log': 0, 'zeros.txt': 8 });
    expect(appv('verify', stored).status).toBe(0);
    const plain = path.join(work, 'store-out', 'plain.appv');
    expect(appv('pack', source, '-o', plain, '--no-config').status).toBe(0);
    expect(methodsOf(plain)).toEqual({ 'zeros.bin': 8, 'zeros.dat': 8, 'zeros.log': 8, 'zeros.txt': 8 });
  });

  it('pack prints people-readable output and --deterministic gives the same bytes twice', () => {
    const a = path.join(work, 'det', 'a.appv');
    const b = path.join(work, 'det', 'b.appv');
    mkdirSync(path.dirname(a), { recursive: true });
    const first = appv('pack', APP, '-o', a, '--deterministic', '--no-config');
    expect(first.status).toBe(0);
    expect(first.stdout.toString()).toMatch(/^Package\s+.*a\.appv$/m);
    expect(appv('pack', APP, '-o', b, '--deterministic', '--no-config').status).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readdirSync(path.dirname(a)).sort()).toEqual(['a.appv', 'b.appv']);
  });

  it('--publishing takes a file by its path in the packed folder too: ./x and absolute (found by review)', () => {
    for (const [label, spec] of [
      ['dot', './VendorApp.exe:0'],
      ['absolute', `${path.join(APP, 'VendorApp.exe')}:0`],
    ] as const) {
      const out = path.join(work, `publishing-${label}.appv`);
      const r = appv('pack', APP, '-o', out, '--no-config', '--json', '--publishing', spec);
      expect(r.status, r.stderr).toBe(0);
      const info = json(appv('info', '--json', out)) as { featureBlocks: { id: string; files: number }[] };
      expect(info.featureBlocks.find((b) => b.id === 'PublishingFeatureBlock')?.files).toBe(1);
    }
  });

  it('edit --add: a part name with "=", and --add with --remove of one part refused (found by review)', () => {
    const file = path.join(work, 'eq-new.txt');
    writeFileSync(file, 'new value');
    const out = path.join(work, 'eq.appv');
    const part = 'Root/VFS/ProgramFilesX86/Vendor App/k=v.ini';
    const r = appv('edit', SAMPLE, '-o', out, '--add', `${part}=${file}`);
    expect(r.status, r.stderr).toBe(0);
    expect(appv('cat', out, part).stdout.toString()).toBe('new value');
    // A part of the package, and a new part (found by review: that one was "no such part"), alike.
    for (const name of ['app.exe', 'new.txt']) {
      const both = `Root/VFS/ProgramFilesX86/Vendor App/${name}`;
      const out = path.join(work, `both-${name}.appv`);
      const r = appv('edit', SAMPLE, '-o', out, '--add', `${both}=${file}`, '--remove', both);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^appv: USAGE: --add .* and --remove name the same part: give one of them/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('edit --publishing of an unknown file says how edit names files: it has no packed folder (found by review)', () => {
    const r = appv('edit', SAMPLE, '-o', path.join(work, 'nofile.appv'), '--publishing', 'VendorApp.exe');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /has no file "VendorApp\.exe" \(name it as in the package, Root\\…, as appv ls lists it\)/,
    );
    expect(r.stderr).not.toMatch(/packed folder/);
  });

  it.each([['data'], ['./data/'], ['Root/VFS/ProgramFilesX86/Vendor App/data']])(
    'pack --primary %s, a folder, is said to be a folder (found by review: "no file")',
    (spec) => {
      const out = path.join(work, 'primary-folder.appv');
      const r = appv('pack', APP, '-o', out, ...VENDOR_VFS, '--no-config', '--primary', spec);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^appv: PACK_INPUT_INVALID: .*: it is a folder: feature blocks list files/);
      expect(existsSync(out)).toBe(false);
    },
  );

  it("edit --remove of an application's executable: edit and verify both warn that the application runs nothing (found by review)", () => {
    const out = path.join(work, 'no-exe.appv');
    const exe = 'Root/VFS/ProgramFilesX86/Vendor App/app.exe';
    const edited = appv('edit', SAMPLE, '-o', out, '--remove', exe);
    expect(edited.status).toBe(0);
    // The executable was a Publishing feature block file too: it leaves the StreamMap, and that is said.
    // Each line as verify writes a finding: severity, code, part, message (found by review: no part here).
    const left = (block: string) =>
      `warning APPV_STREAMMAP_FILE_UNKNOWN StreamMap.xml: Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe (feature block ${block}) is not in the package: left out of the StreamMap\n`;
    const lines = edited.stderr.split(/(?<=\n)/);
    expect(lines.slice(0, 2)).toEqual([left('PublishingFeatureBlock'), left('PrimaryFeatureBlock')]);
    expect(lines.slice(2).join('')).toMatch(
      /^warning APPV_APPLICATION_TARGET_MISSING AppxManifest\.xml: Application .*app\.exe.*\n$/,
    );
    const again = appv('edit', SAMPLE, '-o', path.join(work, 'no-exe-2.appv'), '--remove', exe, '--json');
    expect(json(again)).toMatchObject({
      warnings: [
        { code: 'APPV_STREAMMAP_FILE_UNKNOWN', severity: 'warning', part: 'StreamMap.xml' },
        { code: 'APPV_STREAMMAP_FILE_UNKNOWN', severity: 'warning', part: 'StreamMap.xml' },
        { code: 'APPV_APPLICATION_TARGET_MISSING', severity: 'warning', part: 'AppxManifest.xml' },
      ],
    });
    // verify's finding shape, keys in its order (found by review: no block key, another order).
    const warning = (json(again) as { warnings: object[] }).warnings[0] ?? {};
    expect(Object.keys(warning)).toEqual(['code', 'severity', 'part', 'block', 'message']);
    // An edit that leaves the executable says nothing.
    const quiet = appv(
      'edit',
      SAMPLE,
      '-o',
      path.join(work, 'exe-kept.appv'),
      '--display-name',
      'Kept',
      '--json',
    );
    expect(quiet.stderr).toBe('');
    expect(json(quiet)).toMatchObject({ warnings: [] });
    const r = appv('verify', '--json', out);
    expect(r.status).toBe(0);
    const report = json(r) as {
      valid: boolean;
      findings: { code: string; severity: string; message: string }[];
    };
    expect(report.valid).toBe(true);
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'APPV_APPLICATION_TARGET_MISSING',
        severity: 'warning',
        message: expect.stringContaining('[{ProgramFilesX86}]\\Vendor App\\app.exe'),
      }),
    ]);
    expect(json(appv('verify', '--json', SAMPLE))).toMatchObject({ valid: true, findings: [] });
  });

  it('usage mistakes exit 2 with USAGE; bad input exits 2 with its code and writes nothing', () => {
    const missing = appv('pack', APP);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^appv: USAGE: .*-o <out\.appv>/);
    expect(appv('pack', APP, '-o', path.join(work, 'x.appv'), '--level', '12').status).toBe(2);
    expect(appv('edit', SAMPLE, '-o', path.join(work, 'x.appv'), '--add', 'no-equals').status).toBe(2);
    const bad = path.join(work, 'bad-source');
    mkdirSync(bad, { recursive: true });
    writeFileSync(path.join(bad, 'A.txt'), 'a');
    writeFileSync(path.join(bad, 'a.txt'), 'b');
    const outDir = path.join(work, 'bad-out');
    mkdirSync(outDir, { recursive: true });
    const collision = appv('pack', bad, '-o', path.join(outDir, 'bad.appv'));
    expect(collision.status).toBe(2);
    expect(collision.stderr).toMatch(/^appv: PACK_NAME_COLLISION: /);
    // Quoted as it can be copied back into --remove or --part: single backslashes (found by review).
    expect(collision.stderr).toContain('"Root\\VFS\\ProgramFilesX86\\bad-source\\');
    expect(collision.stderr).not.toContain('\\\\');
    expect(collision.stderr).not.toMatch(NO_STACK);
    expect(readdirSync(outDir)).toEqual([]);
  });
});
