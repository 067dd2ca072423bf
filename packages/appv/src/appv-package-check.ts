import type { AppxManifest } from '@appv/manifest';
import { AppvError, ErrorCode, type PackageItem } from '@appv/opc';
import type { AppvPackage } from './appv-package.js';
import { PartNames } from './footprint.js';

/**
 * What makes a package an App-V package rather than a plain AppX/MSIX (FORMAT.md §1, §4): a manifest in the
 * App-V namespace and a Registry.dat; its Registry.dat item is returned. One test for both writers: `edit`
 * refuses anything else first, whatever the options (a plain manifest was given App-V ids it never had, which
 * turned on the App-V checks its layout then failed, 79 findings for a package that verified clean; found by
 * review), and `pack` replaces no other file in the folder it packs (output-in-source.ts).
 */
export function requireAppvPackage(pkg: AppvPackage, manifest: AppxManifest): PackageItem {
  if (!manifest.isAppV) {
    throw new AppvError(
      ErrorCode.APPV_PACKAGE_ID_MISSING,
      'The manifest has no App-V namespace or appv:PackageId: this is a plain AppX/MSIX package, which edit does not write (its signature would not survive either)',
      { part: PartNames.manifest },
    );
  }
  const registry = pkg.opc.item(PartNames.registry);
  if (!registry) {
    throw new AppvError(
      ErrorCode.APPV_PART_MISSING,
      'The package has no Registry.dat: it is not an App-V package',
      {
        part: PartNames.registry,
      },
    );
  }
  return registry;
}
