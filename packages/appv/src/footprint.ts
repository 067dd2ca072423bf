import {
  APPX_MANIFEST_PART,
  BLOCKMAP_PART,
  FILESYSTEM_METADATA_PART,
  PACKAGE_HISTORY_PART,
  STREAMMAP_PART,
} from '@appv/manifest';
import { CONTENT_TYPES_ITEM, nameKey, type PackageItem } from '@appv/opc';

/**
 * FORMAT.md §1: the parts with fixed names, in decoded (BlockMap) form. The documents' names come from the
 * packages that parse them; only the parts nothing parses are named here.
 */
export const PartNames = {
  contentTypes: CONTENT_TYPES_ITEM,
  blockMap: BLOCKMAP_PART,
  manifest: APPX_MANIFEST_PART,
  streamMap: STREAMMAP_PART,
  filesystemMetadata: FILESYSTEM_METADATA_PART,
  packageHistory: PACKAGE_HISTORY_PART,
  registry: 'Registry.dat',
  signature: 'AppxSignature.p7x',
  codeIntegrity: 'AppxMetadata\\CodeIntegrity.cat',
} as const;

/** Items the BlockMap never describes (FORMAT.md §1): it cannot hash itself, the content types, or signatures. */
const FOOTPRINT_KEYS = new Set(
  [PartNames.contentTypes, PartNames.blockMap, PartNames.signature, PartNames.codeIntegrity].map(nameKey),
);

/** A BlockMap `File` name that must not be listed. */
export function isFootprint(name: string): boolean {
  return FOOTPRINT_KEYS.has(nameKey(name));
}

/** ZIP names of the footprint items: these are written unencoded, so anything encoded is an ordinary part. */
const FOOTPRINT_ZIP_KEYS = new Set(
  [PartNames.blockMap, PartNames.signature, PartNames.codeIntegrity].map((name) =>
    nameKey(name.replaceAll('\\', '/')),
  ),
);

/**
 * Whether the BlockMap may leave this item out. Decided on the item as written, not its decoded name: a
 * part `%5BContent_Types%5D.xml` decodes to a footprint name but is payload and must be hashed.
 */
export function isFootprintItem(item: PackageItem): boolean {
  return item.kind === 'content-types' || FOOTPRINT_ZIP_KEYS.has(nameKey(item.zipName));
}

/** FORMAT.md §9.8: the parts every App-V package carries besides the manifest. */
export const APPV_REQUIRED_PARTS: readonly string[] = [
  PartNames.streamMap,
  PartNames.filesystemMetadata,
  PartNames.packageHistory,
  PartNames.registry,
];
