import type { PackageItem } from '@appv/opc';
import type { AppvPackage } from './appv-package.js';

/**
 * Finds an item by what a user is likely to type: the decoded name (`Root\VFS\Vendor App\a.dll`, `/` accepted)
 * or the ZIP item name as `unzip -l` shows it (`Root/VFS/Vendor%20App/a.dll`), both case-insensitively
 * (FORMAT.md §8). The decoded form wins when both match different items. Throws OPC_PART_NOT_FOUND.
 */
export function findPart(pkg: AppvPackage, name: string): PackageItem {
  return (
    lookUp(pkg, name) ?? (name.startsWith('/') ? lookUp(pkg, name.slice(1)) : undefined) ?? pkg.part(name)
  );
}

/**
 * By either form; a leading `/` is also tried without (the OPC part name, `/AppxManifest.xml`, as
 * `[Content_Types].xml` writes it).
 */
function lookUp(pkg: AppvPackage, name: string): PackageItem | undefined {
  return pkg.opc.item(name) ?? pkg.opc.itemByZipName(name);
}
