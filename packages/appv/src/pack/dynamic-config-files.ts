import path from 'node:path';
import {
  type AppxManifest,
  createDeploymentConfig,
  createUserConfig,
  serializeDynamicConfiguration,
} from '@appv/manifest';
import { AtomicFile, ErrorCode, refuseExisting, toAppvError } from '@appv/opc';

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
  options: { readonly overwrite?: boolean } = {},
): Promise<PreparedConfigs> {
  const [deployment, user] = dynamicConfigPaths(packagePath);
  const files: [string, Buffer][] = [
    [deployment, serializeDynamicConfiguration(createDeploymentConfig(manifest))],
    [user, serializeDynamicConfiguration(createUserConfig(manifest))],
  ];
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
