import { Readable } from 'node:stream';
import {
  APPX_MANIFEST_PART,
  BLOCKMAP_PART,
  buildAppvContentTypes,
  buildBlockMap,
  FILESYSTEM_METADATA_PART,
  PACKAGE_HISTORY_PART,
  STREAMMAP_PART,
  serializeBlockMapPieces,
} from '@appv/manifest';
import {
  CONTENT_TYPES_ITEM,
  type HashAlgorithm,
  type PackageWriter,
  type RawPartContent,
  serializeContentTypes,
  type WrittenPackage,
} from '@appv/opc';
import { PartNames } from '../footprint.js';

/** A footprint part's bytes: fresh (deflated as it is written) or copied raw from the package being edited. */
export type FootprintBytes = { readonly bytes: Buffer } | { readonly raw: RawPartContent };

/** The App-V parts written after the payload (FORMAT.md §1). */
export interface AppvParts {
  readonly registry: FootprintBytes;
  readonly streamMap: FootprintBytes;
  readonly filesystemMetadata: FootprintBytes;
  readonly packageHistory: FootprintBytes;
  readonly manifest: Buffer;
}

/**
 * Ends a package whose payload is written: the App-V parts, then `AppxManifest.xml`, `AppxBlockMap.xml`
 * built from what the writer recorded (nothing is read back), and `[Content_Types].xml` last — the order
 * MakeAppx uses (FORMAT.md §1).
 */
export async function writeFootprint(
  writer: PackageWriter,
  parts: AppvParts,
  algorithm: HashAlgorithm,
): Promise<WrittenPackage> {
  const ordered: [string, FootprintBytes][] = [
    [PartNames.registry, parts.registry],
    [STREAMMAP_PART, parts.streamMap],
    [FILESYSTEM_METADATA_PART, parts.filesystemMetadata],
    [PACKAGE_HISTORY_PART, parts.packageHistory],
    [APPX_MANIFEST_PART, { bytes: parts.manifest }],
  ];
  for (const [name, source] of ordered) {
    if ('raw' in source) await writer.addRawPart(name, source.raw);
    else await writer.addPart(name, source.bytes, { method: 'deflate' });
  }
  // Everything the BlockMap lists is out: the writer's records are the map (FORMAT.md §2).
  const files = (await writer.written()).filter((part) => part.inBlockMap);
  // Streamed in pieces as they are made: the text of a 2.4 GB part's map is never whole in memory.
  const blockMap = Readable.from(serializeBlockMapPieces(buildBlockMap(files, algorithm)));
  await writer.addPart(BLOCKMAP_PART, blockMap, { method: 'deflate', inBlockMap: false });
  const itemNames = (await writer.written()).map((part) => part.zipName);
  await writer.addPart(CONTENT_TYPES_ITEM, serializeContentTypes(buildAppvContentTypes(itemNames)), {
    method: 'deflate',
    inBlockMap: false,
  });
  return writer.finish();
}
