// Our writer and our verifier, as `appv pack` and `appv verify` run them: packPackage and verifyPackage from
// the built `appv` package (packages/appv/dist), with the options the CLI passes for
// `appv pack <dir> -o <out> --level 6 --no-config --vfs ProgramFilesX86/Set` and `appv verify <package>`.
// Called in the child rather than through the CLI so that process start and module loading stay untimed.
import { rmSync } from 'node:fs';
import { unavailable } from './ours.mjs';
import { makeUp } from './zip-make-up.mjs';

/** How many findings of an invalid package the report quotes. */
const QUOTED_FINDINGS = 3;

async function loadAppv() {
  try {
    return await import('appv');
  } catch (error) {
    throw unavailable(`appv does not load (${error.code ?? error.message}); run pnpm build`);
  }
}

export const appvPack = {
  async prepare(dir, output) {
    const { packPackage } = await loadAppv();
    // Untimed: a package left by an earlier run would otherwise be replaced inside the timing.
    rmSync(output, { force: true });
    return {
      async run() {
        const result = await packPackage(dir, output, {
          level: 6,
          dynamicConfig: false,
          vfs: 'ProgramFilesX86/Set',
        });
        return { bytes: result.bytes, detail: { size: result.size, files: result.files } };
      },
      // App-V payload parts live under Root/ (FORMAT.md §5); the rest is footprint.
      verify: async () => ({ makeUp: await makeUp(output, (name) => name.startsWith('Root/')) }),
    };
  },
};

/**
 * An invalid package is still timed (every check ran); `detail.valid` and the first findings say so, and the
 * report prints them.
 */
export const appvVerify = {
  async prepare(path) {
    const { verifyPackage } = await loadAppv();
    return {
      async run() {
        const report = await verifyPackage(path);
        const findings = report.findings
          .filter((f) => f.severity === 'error')
          .slice(0, QUOTED_FINDINGS)
          .map(
            (f) =>
              `${f.code}${f.part ? ` ${f.part}` : ''}${f.block == null ? '' : ` block ${f.block}`}: ${f.message}`,
          );
        const { items, blocks, bytes } = report.stats;
        return { detail: { valid: report.valid, findings, items, blocks, verifiedBytes: bytes } };
      },
    };
  },
};
