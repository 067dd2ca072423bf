import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the shared real AppX/MSIX fixtures beside it (../shared/fixtures/msix). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesRoot = resolve(repoRoot, '../shared/fixtures/msix');
export const VALID_DIR = join(fixturesRoot, 'valid');
export const INVALID_DIR = join(fixturesRoot, 'invalid');

export function fixtureFiles(kind: 'valid' | 'invalid'): { name: string; path: string }[] {
  const dir = join(fixturesRoot, kind);
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, path: join(dir, name) }));
}

/** File names of the valid packages. */
export function validPackages(): string[] {
  return readdirSync(VALID_DIR)
    .filter((name) => /\.(appx|msix)$/i.test(name))
    .sort();
}

/** One item's bytes through an independent reader, the system `unzip -p` (wildcards escaped). */
export function unzipItem(packagePath: string, item: string): Buffer {
  const pattern = item.replace(/[[\]*?\\]/g, (c) => `\\${c}`);
  return execFileSync('unzip', ['-p', packagePath, pattern], { maxBuffer: 256 * 1024 * 1024 });
}
