import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type AppxManifest,
  createDeploymentConfig,
  createUserConfig,
  normalizePackageGuid,
  parseDynamicConfiguration,
  serializeDynamicConfiguration,
} from '@appv/manifest';
import { AtomicFile, ErrorCode, type Finding, refuseExisting, toAppvError } from '@appv/opc';

/**
 * FORMAT.md §7: the sequencer writes `<Name>_DeploymentConfig.xml` and `<Name>_UserConfig.xml` beside the
 * package, `<Name>` being the package file's name without `.appv`.
 */
export function dynamicConfigPaths(packagePath: string): [deployment: string, user: string] {
  const base = path.basename(packagePath).replace(/\.appv$/i, '');
  const dir = path.dirname(packagePath);
  return [path.join(dir, `${base}_DeploymentConfig.xml`), path.join(dir, `${base}_UserConfig.xml`)];
}

/**
 * Without overwrite, refuses existing configuration files before anything is written (the package too): a
 * refusal after the package was written would leave it without them.
 */
export async function refuseExistingConfigs(packagePath: string): Promise<void> {
  for (const file of dynamicConfigPaths(packagePath)) await refuseExisting(file);
}

/** Both files written beside their final names, not yet in place: `commit` renames them, `discard` removes. */
export interface PreparedConfigs {
  readonly files: readonly string[];
  commit(signal?: AbortSignal): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Writes both files to temporary names (IO_WRITE_FAILED on failure, with nothing left behind). `pack` commits
 * them right after the package, so a failed run leaves the files that were there before, and a package under
 * its final name has its own beside it (found by review: renamed first, they replaced the previous package's
 * and were removed when the new package failed).
 */
export async function prepareDynamicConfigs(
  packagePath: string,
  manifest: AppxManifest,
  options: { readonly overwrite?: boolean; readonly only?: readonly string[] } = {},
): Promise<PreparedConfigs> {
  const [deployment, user] = dynamicConfigPaths(packagePath);
  const files = (
    [
      [deployment, serializeDynamicConfiguration(createDeploymentConfig(manifest))],
      [user, serializeDynamicConfiguration(createUserConfig(manifest))],
    ] as const
  ).filter(([file]) => options.only === undefined || options.only.includes(file));
  const prepared: AtomicFile[] = [];
  const discard = () => Promise.all(prepared.map((file) => file.discard())).then(() => undefined);
  for (const [file, bytes] of files) {
    try {
      const out = await AtomicFile.create(file, { overwrite: options.overwrite ?? true });
      prepared.push(out);
      await out.handle.writeFile(bytes);
    } catch (error) {
      await discard();
      throw toAppvError(error, ErrorCode.IO_WRITE_FAILED, { file });
    }
  }
  return {
    files: files.map(([file]) => file),
    async commit(signal) {
      try {
        for (const file of prepared) await file.commit(signal);
      } catch (error) {
        await discard(); // the ones not yet renamed (a committed one is settled: discard leaves it)
        throw error;
      }
    },
    discard,
  };
}

/**
 * `edit`'s configuration files: those not yet beside the package are to be written; those there are left as
 * they are, since an administrator may have customised them (found by review: edit replaced them), with a
 * warning when they name another PackageId than the edited package's (a branch, an id given).
 */
export async function editConfigPlan(
  packagePath: string,
  packageId: string,
): Promise<{ readonly write: string[]; readonly warnings: Finding[] }> {
  const write: string[] = [];
  const warnings: Finding[] = [];
  for (const file of dynamicConfigPaths(packagePath)) {
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw toAppvError(error, ErrorCode.IO_READ_FAILED, { file });
    });
    if (bytes === null) {
      write.push(file);
      continue;
    }
    let theirs: string | undefined;
    let same = false;
    try {
      theirs = parseDynamicConfiguration(bytes, { part: path.basename(file) }).packageId;
      same = theirs !== undefined && normalizePackageGuid(theirs) === normalizePackageGuid(packageId);
    } catch {
      // A file that does not parse, or names no GUID: not this package's, said as such below.
    }
    if (!same) {
      warnings.push({
        code: ErrorCode.APPV_CONFIG_KEPT,
        severity: 'warning',
        message: `${file} is left as it was, and names ${theirs === undefined ? 'no PackageId' : `PackageId ${theirs}`}, not the package's ${packageId}: remove it and edit again to have it written`,
      });
    }
  }
  return { write, warnings };
}
