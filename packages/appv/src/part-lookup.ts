import type { OpcPackage, PackageItem } from '@appv/opc';

/**
 * Finds an item by what a user is likely to type: the decoded name (`Root\VFS\Vendor App\a.dll`, `/` accepted)
 * or the ZIP item name as `unzip -l` and `items[i].zipName` show it (`Root/VFS/Vendor%20App/a.dll`), both
 * case-insensitively (FORMAT.md §8); a leading `/` is also tried without (the OPC part name,
 * `/AppxManifest.xml`, as `[Content_Types].xml` writes it). The decoded form wins when both match different
 * items. What AppvPackage.part and .has look names up by (found by review: `part()` took no ZIP name with an
 * escape, although documented to, while `appv cat` did).
 */
export function lookUpPart(opc: OpcPackage, name: string): PackageItem | undefined {
  return eitherForm(opc, name) ?? (name.startsWith('/') ? eitherForm(opc, name.slice(1)) : undefined);
}

/** The decoded form first; the ZIP form (a scan of the items) only for a name that can differ (a `%`). */
function eitherForm(opc: OpcPackage, name: string): PackageItem | undefined {
  return opc.item(name) ?? (name.includes('%') ? opc.itemByZipName(name) : undefined);
}
