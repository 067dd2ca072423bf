import {
  CONTENT_TYPES_ITEM,
  type ContentTypeDefault,
  type ContentTypeOverride,
  checkListArgument,
  compareOrdinal,
  decodeItemNameLeniently,
  nameKey,
} from '@appv/opc';

/**
 * The content types of a package being written (FORMAT.md §1, §9.4: every part has a type), as the App-V
 * sequencer declares them: every payload and App-V footprint part is `appv/vfs-file`, by extension where it
 * has one; the AppX footprint parts have their AppX types. [tools]
 */

export const APPV_FILE_CONTENT_TYPE = 'appv/vfs-file';
export const APPX_MANIFEST_CONTENT_TYPE = 'application/vnd.ms-appx.manifest+xml';
export const APPX_BLOCKMAP_CONTENT_TYPE = 'application/vnd.ms-appx.blockmap+xml';

/** The AppX footprint parts, always declared by name, manifest first. [sdk] */
const FOOTPRINT_OVERRIDES: readonly ContentTypeOverride[] = [
  { partName: '/AppxManifest.xml', contentType: APPX_MANIFEST_CONTENT_TYPE },
  { partName: '/AppxBlockMap.xml', contentType: APPX_BLOCKMAP_CONTENT_TYPE },
];

/**
 * The Default and Override lists for a package (serialize them with serializeContentTypes).
 *
 * `itemNames` are the ZIP item names (percent-encoded, `/` separators) of every part that will be in the
 * package; `[Content_Types].xml` itself needs no type and is skipped if given. Rules:
 * - `/AppxManifest.xml` and `/AppxBlockMap.xml` get their AppX types by Override, always (every package has
 *   both, FORMAT.md §1), and first;
 * - every other part with an extension (the text after the last `.` of its last segment, as encoded) is
 *   covered by one `appv/vfs-file` Default per distinct extension, compared as parseContentTypes compares
 *   them (decoded, ASCII case-insensitive); the first spelling in `itemNames` order is kept;
 * - a part without one (`Root/VFS/Windows/hosts`, or a name ending in `.`) gets an `appv/vfs-file` Override
 *   `/` + item name, one per part name (compared case-insensitively, the first spelling kept).
 * Output order does not depend on input order except for those spellings: Defaults by lower-case extension,
 * then Overrides by part name (UTF-16 code unit order) after the two footprint ones.
 */
export function buildAppvContentTypes(itemNames: readonly string[]): {
  defaults: ContentTypeDefault[];
  overrides: ContentTypeOverride[];
} {
  checkListArgument(itemNames, 'part names', 'buildAppvContentTypes');
  const footprintKeys = new Set(
    FOOTPRINT_OVERRIDES.map((o) => nameKey(decodeItemNameLeniently(o.partName.slice(1)))),
  );
  const defaults = new Map<string, ContentTypeDefault>();
  const overrides = new Map<string, ContentTypeOverride>();
  const keyOf = (itemName: string) => nameKey(decodeItemNameLeniently(itemName));
  for (const itemName of itemNames) {
    // The footprint names are top-level: a name with a separator is none of them (and a payload name is
    // decoded only if it needs an Override).
    if (!itemName.includes('/')) {
      const key = keyOf(itemName);
      if (key === nameKey(CONTENT_TYPES_ITEM) || footprintKeys.has(key)) continue;
    }
    const lastSegment = itemName.slice(itemName.lastIndexOf('/') + 1);
    const extension = lastSegment.slice(lastSegment.lastIndexOf('.') + 1);
    if (lastSegment.includes('.') && extension !== '') {
      const extensionKey = nameKey(decodeItemNameLeniently(extension));
      if (!defaults.has(extensionKey))
        defaults.set(extensionKey, { extension, contentType: APPV_FILE_CONTENT_TYPE });
    } else {
      const key = keyOf(itemName);
      if (!overrides.has(key))
        overrides.set(key, { partName: `/${itemName}`, contentType: APPV_FILE_CONTENT_TYPE });
    }
  }
  return {
    defaults: [...defaults.values()].sort(
      (a, b) =>
        compareOrdinal(a.extension.toLowerCase(), b.extension.toLowerCase()) ||
        compareOrdinal(a.extension, b.extension),
    ),
    overrides: [
      ...FOOTPRINT_OVERRIDES,
      ...[...overrides.values()].sort((a, b) => compareOrdinal(a.partName, b.partName)),
    ],
  };
}
