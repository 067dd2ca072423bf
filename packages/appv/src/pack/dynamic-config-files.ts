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

/** Writes both files; each appears complete or not at all. Failures are IO_WRITE_FAILED. */
export async function writeDynamicConfigs(
  packagePath: string,
  manifest: AppxManifest,
  options: { readonly overwrite?: boolean } = {},
): Promise<string[]> {
  const [deployment, user] = dynamicConfigPaths(packagePath);
  const files: [string, Buffer][] = [
    [deployment, serializeDynamicConfiguration(createDeploymentConfig(manifest))],
    [user, serializeDynamicConfiguration(createUserConfig(manifest))],
  ];
  for (const [file, bytes] of files) {
    const out = await AtomicFile.create(file, { overwrite: options.overwrite ?? true });
    try {
      await out.handle.writeFile(bytes);
    } catch (error) {
      await out.discard();
      throw toAppvError(error, ErrorCode.IO_WRITE_FAILED, { part: file });
    }
    await out.commit();
  }
  return files.map(([file]) => file);
}
