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
  AppvError,
  CONTENT_TYPES_ITEM,
  ErrorCode,
  type HashAlgorithm,
  MAX_XML_PART_SIZE,
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
  const pieces = serializeBlockMapPieces(buildBlockMap(files, algorithm));
  const blockMap = Readable.from(withinReadLimit(BLOCKMAP_PART, pieces));
  await writer.addPart(BLOCKMAP_PART, blockMap, { method: 'deflate', inBlockMap: false });
  const itemNames = (await writer.written()).map((part) => part.zipName);
  const contentTypes = serializeContentTypes(buildAppvContentTypes(itemNames));
  checkReadLimit(CONTENT_TYPES_ITEM, contentTypes.length);
  await writer.addPart(CONTENT_TYPES_ITEM, contentTypes, { method: 'deflate', inBlockMap: false });
  return writer.finish();
}

/**
 * `pieces` of the part `name`, refused (PACK_INPUT_INVALID) once they pass `limit`: the footprint parts are
 * read whole, up to MAX_XML_PART_SIZE, by verify, info and edit alike, so a package whose BlockMap or content
 * types passed it was written, then called invalid by verify and refused by edit (found by review: 130,000
 * files with long names made a 69.6 MB BlockMap and 62.8 MB of content types). The pack then fails, and its
 * temporary file goes, instead of leaving a package no reader here can open.
 */
export function* withinReadLimit(
  name: string,
  pieces: Iterable<Uint8Array>,
  limit: number = MAX_XML_PART_SIZE,
): Generator<Uint8Array> {
  let size = 0;
  for (const piece of pieces) {
    size += piece.length;
    checkReadLimit(name, size, limit);
    yield piece;
  }
}

function checkReadLimit(name: string, size: number, limit: number = MAX_XML_PART_SIZE): void {
  if (size <= limit) return;
  throw new AppvError(
    ErrorCode.PACK_INPUT_INVALID,
    `${name} would be more than ${limit} bytes, the most a reader of App-V packages here reads: the package has too many files, or names too long, for one package`,
    { part: name },
  );
}
