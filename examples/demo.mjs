// The README's main job: pack the sample application in examples/vendor-app/ into an App-V package,
// then show what `appv info` and `appv verify` say about it.
// Run with `pnpm demo` (builds first) or `node examples/demo.mjs` after `pnpm build`.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../packages/appv/dist/cli/main.js', import.meta.url));
const app = fileURLToPath(new URL('./vendor-app', import.meta.url));
const outDir = fileURLToPath(new URL('./out', import.meta.url));
const pkg = `${outDir}/VendorApp.appv`;

function appv(...args) {
  console.log(`\n$ appv ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  // The CLI writes straight to our terminal, progress bar included.
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status;
}

mkdirSync(outDir, { recursive: true });
const statuses = [
  appv(
    'pack',
    app,
    '-o',
    pkg,
    '--vfs',
    'ProgramFilesX86/Vendor App',
    '--name',
    'Vendor.App',
    '--display-name',
    'Vendor App',
    '--version',
    '1.0.0.0',
  ),
  appv('info', pkg),
  appv('verify', pkg),
];
console.log(
  `\nexit status: pack ${statuses[0]}, info ${statuses[1]}, verify ${statuses[2]} (0 = ok / valid)`,
);
process.exitCode = statuses.every((s) => s === 0) ? 0 : 1;
