/**
 * Runs independent ZIP implementations on crafted bytes: Info-ZIP `unzip -t` and Python's `zipfile`,
 * plus test/helpers/verify_blockmap.py (an independent BlockMap checker written in Python).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ToolResult {
  ok: boolean;
  status: number | null;
  output: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

function withTempFile<T>(bytes: Buffer, fn: (file: string) => T, ext = '.zip'): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'appv-crafter-'));
  const file = path.join(dir, `package${ext}`);
  try {
    writeFileSync(file, bytes);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a tool; a missing one is an error that says so, never a result that merely looks like a refusal (the
 * tests that need these tools run everywhere: `pnpm test` installs them through scripts/ensure-tools.mjs).
 */
export function runTool(cmd: string, args: string[]): ToolResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `${cmd} is not installed: the tests check against it as an independent reader. Run \`node scripts/ensure-tools.mjs\` (pnpm test does) or install it (apt-get install unzip python3).`
        : `${cmd} could not be run: ${r.error.message}`,
    );
  }
  return { ok: r.status === 0, status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** `unzip -t` on the bytes (a file path is accepted too). */
export function unzipTest(bytes: Buffer | string): ToolResult {
  if (typeof bytes === 'string') return runTool('unzip', ['-t', bytes]);
  return withTempFile(bytes, (file) => runTool('unzip', ['-t', file]));
}

const PY_TESTZIP = `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
if bad is not None:
    print("bad entry:", bad); sys.exit(1)
print("ok", len(z.infolist()))
`;

/** Python's zipfile: opens the archive and checks every CRC (`testzip()`). */
export function pythonZipTest(bytes: Buffer | string): ToolResult {
  if (typeof bytes === 'string') return runTool('python3', ['-c', PY_TESTZIP, bytes]);
  return withTempFile(bytes, (file) => runTool('python3', ['-c', PY_TESTZIP, file]));
}

/** Python's zipfile: name → content of every entry, as seen by an independent reader (bytes or a path). */
export function pythonReadAll(bytes: Buffer | string): Map<string, Buffer> {
  const script = `
import sys, zipfile, json, base64
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps([[i.filename, base64.b64encode(z.read(i)).decode()] for i in z.infolist()]))
`;
  const read = (file: string) => {
    const r = runTool('python3', ['-c', script, file]);
    if (!r.ok) throw new Error(r.output);
    const rows = JSON.parse(r.output) as Array<[string, string]>;
    return new Map(rows.map(([n, d]) => [n, Buffer.from(d, 'base64')]));
  };
  return typeof bytes === 'string' ? read(bytes) : withTempFile(bytes, read);
}

/** One item as Python's zipfile sees it. */
export interface PythonZipItem {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  headerOffset: number;
}

/** Python's zipfile listing of a package on disk: every item's metadata, in central directory order. */
export function pythonList(path: string): PythonZipItem[] {
  const script = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps([dict(name=i.filename, method=i.compress_type, compressedSize=i.compress_size,
        size=i.file_size, crc=i.CRC, headerOffset=i.header_offset) for i in z.infolist()]))
`;
  const r = runTool('python3', ['-c', script, path]);
  if (!r.ok) throw new Error(r.output);
  return JSON.parse(r.output) as PythonZipItem[];
}

/** test/helpers/verify_blockmap.py: FORMAT.md §2/§3/§9.5–9.7 checked by an independent implementation. */
export function pythonVerifyBlockMap(bytes: Buffer | string): ToolResult {
  const script = path.join(HERE, 'verify_blockmap.py');
  if (typeof bytes === 'string') return runTool('python3', [script, bytes]);
  return withTempFile(bytes, (file) => runTool('python3', [script, file]));
}
