#!/usr/bin/env node
// The tests check our reader against independent ones (Info-ZIP `unzip`, Python's `zipfile`) and the bench
// compares with `unzip -t`. A bare machine with only Node and npm lacks them: install them from Debian when
// we can (CI runs as root), otherwise say exactly what is missing.
import { execFileSync, spawnSync } from 'node:child_process';

const tools = [
  { command: 'unzip', debian: 'unzip' },
  { command: 'python3', debian: 'python3' },
];

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = tools.filter((tool) => !has(tool.command));
if (missing.length === 0) process.exit(0);

const packages = missing.map((tool) => tool.debian);
const isRoot = process.getuid?.() === 0;
if (isRoot && has('apt-get')) {
  console.error(`ensure-tools: installing ${packages.join(', ')} from Debian for the tests`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  process.exit(0);
}
console.error(
  `ensure-tools: the tests need ${packages.join(', ')}; install them (e.g. sudo apt-get install ${packages.join(' ')})`,
);
process.exit(2);
