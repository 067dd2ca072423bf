import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the shared fixtures beside it (../shared/fixtures/msix). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesRoot = resolve(repoRoot, '../shared/fixtures/msix');

export function fixtureFiles(kind: 'valid' | 'invalid'): { name: string; path: string }[] {
  const dir = join(fixturesRoot, kind);
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, path: join(dir, name) }));
}
