import path from 'node:path';
import {
  type AppxManifest,
  createDeploymentConfig,
  createUserConfig,
  serializeDynamicConfiguration,
} from '@appv/manifest';
import { AtomicFile } from '@appv/opc';

/**
 * FORMAT.md §7: the sequencer writes `<Name>_DeploymentConfig.xml` and `<Name>_UserConfig.xml` beside the
 * package, `<Name>` being the package file's name without `.appv`. Each appears complete or not at all.
 */
export async function writeDynamicConfigs(packagePath: string, manifest: AppxManifest): Promise<string[]> {
  const base = path.basename(packagePath).replace(/\.appv$/i, '');
  const dir = path.dirname(packagePath);
  const files: [string, Buffer][] = [
    [
      path.join(dir, `${base}_DeploymentConfig.xml`),
      serializeDynamicConfiguration(createDeploymentConfig(manifest)),
    ],
    [path.join(dir, `${base}_UserConfig.xml`), serializeDynamicConfiguration(createUserConfig(manifest))],
  ];
  for (const [file, bytes] of files) {
    const out = await AtomicFile.create(file);
    try {
      await out.handle.writeFile(bytes);
    } catch (error) {
      await out.discard();
      throw error;
    }
    await out.commit();
  }
  return files.map(([file]) => file);
}
