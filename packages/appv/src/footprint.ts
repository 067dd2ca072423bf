import { CONTENT_TYPES_ITEM, nameKey } from '@appv/opc';

/** FORMAT.md §1: the parts with fixed names, in decoded (BlockMap) form. */
export const PartNames = {
  contentTypes: CONTENT_TYPES_ITEM,
  blockMap: 'AppxBlockMap.xml',
  manifest: 'AppxManifest.xml',
  streamMap: 'StreamMap.xml',
  filesystemMetadata: 'FilesystemMetadata.xml',
  packageHistory: 'PackageHistory.xml',
  registry: 'Registry.dat',
  signature: 'AppxSignature.p7x',
  codeIntegrity: 'AppxMetadata\\CodeIntegrity.cat',
} as const;

/** Items the BlockMap never describes (FORMAT.md §1): it cannot hash itself, the content types, or signatures. */
const FOOTPRINT_KEYS = new Set(
  [PartNames.contentTypes, PartNames.blockMap, PartNames.signature, PartNames.codeIntegrity].map(nameKey),
);

export function isFootprint(name: string): boolean {
  return FOOTPRINT_KEYS.has(nameKey(name));
}

/** FORMAT.md §9.8: the parts every App-V package carries besides the manifest. */
export const APPV_REQUIRED_PARTS: readonly string[] = [
  PartNames.streamMap,
  PartNames.filesystemMetadata,
  PartNames.packageHistory,
  PartNames.registry,
];
