import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';

// The README's examples run as a new user would run them: its first command packs VendorApp.appv, then its
// library example runs against that package, in a fresh folder. A README that drifts from the code fails
// here (found by review: it read a part the package did not have, from a folder that did not exist).

const README = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const CLI = path.join(repoRoot, 'packages/appv/dist/cli/main.js');
const work = mkdtempSync(path.join(tmpdir(), 'appv-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The workspace packages as the README imports them, mapped to their built entry points. */
const PACKAGES: Readonly<Record<string, string>> = {
  appv: 'packages/appv/dist/index.js',
  '@appv/opc': 'packages/opc/dist/index.js',
  '@appv/manifest': 'packages/manifest/dist/index.js',
};

/** The first fenced block of `language` after `heading`. */
function codeBlock(heading: string, language: string): string {
  const from = README.indexOf(heading);
  expect(from, `README has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const open = README.indexOf(`\`\`\`${language}\n`, from);
  const close = README.indexOf('\n```', open + 1);
  return README.slice(open + language.length + 4, close);
}

function sh(command: string[]): { status: number | null; stdout: string; stderr: string } {
  const [program = '', ...args] = command;
  const r = spawnSync(program, args, { cwd: work, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('README', () => {
  // The examples refer to examples/vendor-app from the repository root.
  symlinkSync(path.join(repoRoot, 'examples'), path.join(work, 'examples'));

  it('its first commands pack and verify VendorApp.appv as shown', () => {
    const lines = codeBlock('# appv', '').split('\n');
    const commands = lines.filter((l) => l.startsWith('$ pnpm --silent appv '));
    expect(commands).toHaveLength(2);
    // What a command prints is shown under it: the same lines, but for the random ids.
    const guids = (text: string) => text.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '<id>');
    for (const line of commands) {
      const args = line.replace('$ pnpm --silent appv ', '').match(/"[^"]*"|\S+/g) ?? [];
      const r = sh([process.execPath, CLI, ...args.map((a) => a.replace(/^"|"$/g, ''))]);
      expect(r.status, r.stderr).toBe(0);
      const from = lines.indexOf(line) + 1;
      const next = lines.findIndex((l, i) => i >= from && l.startsWith('$ '));
      const shownOutput = lines.slice(from, next < 0 ? undefined : next).join('\n');
      if (!line.includes(' verify ')) expect(guids(r.stdout)).toBe(`${guids(shownOutput)}\n`);
    }
    const shown = lines.find((l) => l.startsWith('VendorApp.appv: valid')) ?? '';
    const verified = sh([process.execPath, CLI, 'verify', 'VendorApp.appv']).stdout;
    // The same counts as shown (the time differs).
    expect(verified.replace(/in [\d.]+ s/, '')).toBe(`${shown.replace(/in [\d.]+ s/, '')}\n`);
  });

  it('its library example runs as written against that package', () => {
    let source = codeBlock('## The library', 'ts');
    for (const [name, entry] of Object.entries(PACKAGES)) {
      source = source.replaceAll(
        `from '${name}'`,
        `from '${pathToFileURL(path.join(repoRoot, entry)).href}'`,
      );
    }
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(path.join(work, 'example.mjs'), js);
    writeFileSync(path.join(work, 'data.bin'), Buffer.alloc(100_000, 1)); // the writer example's input
    const r = sh([process.execPath, 'example.mjs']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Root\\VFS\\ProgramFilesX86\\Vendor App\\VendorApp\.exe \d+ /m);
    expect(readFileSync(path.join(work, 'VendorApp-2.appv')).length).toBeGreaterThan(0);
    expect(readFileSync(path.join(work, 'out.zip')).length).toBeGreaterThan(100_000 / 1000);
  });
});
