// The README's tour: what `appv info` and `appv verify` say about the sample package.
// Run with `pnpm demo` (builds first) or `node examples/demo.mjs` after `pnpm build`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../packages/appv/dist/cli/main.js', import.meta.url));
const sample = fileURLToPath(new URL('./sample/VendorApp.appv', import.meta.url));

function appv(...args) {
  console.log(`\n$ appv ${args.join(' ')}`);
  // The CLI writes straight to our terminal, progress bar and colours of exit status included.
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status;
}

const infoStatus = appv('info', sample);
const verifyStatus = appv('verify', sample);
console.log(`\nexit status: info ${infoStatus}, verify ${verifyStatus} (0 = ok / valid)`);
process.exitCode = infoStatus === 0 && verifyStatus === 0 ? 0 : 1;
