import { type BlockMap, type BlockMapFile, blockSizes } from '@appv/manifest';
import {
  BLOCK_SIZE,
  CompressionMethod,
  type DigestRequest,
  ErrorCode,
  type FindingSink,
  nameKey,
  type OpcPackage,
  type PackageItem,
  partKey,
} from '@appv/opc';
import { isFootprint, isFootprintItem, PartNames } from '../footprint.js';

/** What the BlockMap says each listed item should hash to, keyed by the item's index. */
export type Expectations = Map<number, BlockMapFile>;

/** FORMAT.md §3: the 2-byte final deflate block belongs to no block, and some writers omit it. */
const FINAL_BLOCK_BYTES = 2;

/**
 * FORMAT.md §9.5 (the BlockMap against the ZIP) and §9.6 (each file's sizes). Returns, for each listed
 * item, the BlockMap file to compare its digest with.
 */
export function checkBlockMap(pkg: OpcPackage, blockMap: BlockMap, sink: FindingSink): Expectations {
  const expectations: Expectations = new Map();
  const listed = new Set<string>();
  if (blockMap.files.length === 0) {
    sink.add({
      code: ErrorCode.BLOCKMAP_EMPTY,
      severity: 'error',
      part: PartNames.blockMap,
      message: 'The BlockMap lists no File',
    });
  }
  for (const file of blockMap.files) {
    // Keyed as lookups key names: `Root/a` and `Root\a` are one file, listed twice (found by review).
    const key = partKey(file.name);
    if (listed.has(key)) {
      sink.add({
        code: ErrorCode.BLOCKMAP_DUPLICATE_FILE,
        severity: 'error',
        part: file.name,
        message: `The BlockMap lists ${file.name} more than once`,
      });
      continue;
    }
    listed.add(key);
    if (file.name.includes('/')) {
      // Found as a part all the same (lookups take either separator), but a reader matching names as
      // written would not find it.
      sink.add({
        code: ErrorCode.BLOCKMAP_MALFORMED,
        severity: 'error',
        part: file.name,
        message: `The BlockMap names ${file.name} with "/": its names separate segments with "\\" (FORMAT.md §2)`,
      });
    }
    const item = checkListedName(pkg, file, sink);
    if (item) {
      checkFileSizes(item, file, sink);
      expectations.set(item.index, file);
    }
  }
  checkUnlisted(pkg, listed, sink);
  return expectations;
}

function checkListedName(pkg: OpcPackage, file: BlockMapFile, sink: FindingSink): PackageItem | undefined {
  if (nameKey(file.name) === nameKey(PartNames.contentTypes)) {
    sink.add({
      code: ErrorCode.CONTENT_TYPES_IN_BLOCKMAP,
      severity: 'error',
      part: file.name,
      message: '[Content_Types].xml is listed in the BlockMap; it must never be',
    });
    return undefined;
  }
  if (isFootprint(file.name)) {
    sink.add({
      code: ErrorCode.BLOCKMAP_FOOTPRINT_LISTED,
      severity: 'error',
      part: file.name,
      message: `${file.name} is a footprint part and must not be listed in the BlockMap`,
    });
    return undefined;
  }
  const found = pkg.item(file.name);
  const item = found?.kind === 'part' ? found : undefined;
  if (!item) {
    sink.add({
      code: ErrorCode.BLOCKMAP_FILE_MISSING,
      severity: 'error',
      part: file.name,
      message: `The BlockMap lists ${file.name}, but the package has no such part`,
    });
  }
  return item;
}

function checkUnlisted(pkg: OpcPackage, listed: Set<string>, sink: FindingSink): void {
  for (const item of pkg.items) {
    if (item.kind !== 'part' || isFootprintItem(item) || listed.has(partKey(item.name))) continue;
    const isManifest = nameKey(item.name) === nameKey(PartNames.manifest);
    sink.add({
      code: isManifest ? ErrorCode.BLOCKMAP_MANIFEST_UNLISTED : ErrorCode.BLOCKMAP_FILE_UNLISTED,
      severity: 'error',
      part: item.name,
      message: isManifest
        ? 'AppxManifest.xml is in the package but not in the BlockMap; the manifest must be listed'
        : `${item.name} is in the package but the BlockMap does not describe it`,
    });
  }
}

/** FORMAT.md §9.6. */
function checkFileSizes(item: PackageItem, file: BlockMapFile, sink: FindingSink): void {
  const report = (code: ErrorCode, message: string) =>
    sink.add({ code, severity: 'error', part: file.name, message });
  // Only a local header that was read has a size to compare (an unread one's is a placeholder).
  if (item.readable && file.lfhSize !== item.localHeaderSize) {
    report(
      ErrorCode.BLOCKMAP_LFH_SIZE,
      `${file.name}: BlockMap LfhSize is ${file.lfhSize}, the local header is ${item.localHeaderSize} bytes`,
    );
  }
  if (file.size !== item.uncompressedSize) {
    report(
      ErrorCode.BLOCKMAP_SIZE_MISMATCH,
      `${file.name}: BlockMap Size is ${file.size}, the ZIP says ${item.uncompressedSize} bytes`,
    );
  }
  const expectedBlocks = Math.ceil(file.size / BLOCK_SIZE);
  const sizes = blockSizes(file);
  if (sizes.length !== expectedBlocks) {
    report(
      ErrorCode.BLOCKMAP_BLOCK_COUNT,
      `${file.name}: ${sizes.length} blocks listed, ${expectedBlocks} expected for ${file.size} bytes`,
    );
  }
  if (item.method === CompressionMethod.Stored) {
    checkStoredBlockSizes(file, sizes, sink);
  } else if (item.method === CompressionMethod.Deflate) {
    const unsized = sizes.indexOf(undefined);
    if (unsized >= 0) {
      sink.add({
        code: ErrorCode.BLOCKMAP_BLOCK_SIZE_MISSING,
        severity: 'error',
        part: file.name,
        block: unsized,
        message: `${file.name} is deflated, but block ${unsized} has no compressed Size`,
      });
    } else if (!sizesAddUp(item, sizes)) {
      const sum = sizeSum(sizes);
      report(
        ErrorCode.BLOCKMAP_BLOCK_SIZE_SUM,
        `${file.name}: block Sizes add up to ${sum}, but the item has ${item.compressedSize} compressed bytes (expected that or 2 fewer)`,
      );
    }
  }
}

/**
 * FORMAT.md §9.6: stored ⇒ no `Block/@Size`. The SDK reads a missing Size as 65536 and refuses a stored
 * block whose Size is anything else ("An uncompressed file has a size attribute in its Block elements"),
 * the short last block's own length included [sdk]; so an explicit 65536 is only a warning, any other
 * Size an error (found by review: the last block's length was let through as a warning).
 */
function checkStoredBlockSizes(
  file: BlockMapFile,
  sizes: readonly (number | undefined)[],
  sink: FindingSink,
): void {
  const sized = sizes.findIndex((size) => size !== undefined);
  if (sized < 0) return;
  const harmless = sizes.every((size) => size === undefined || size === BLOCK_SIZE);
  sink.add({
    code: ErrorCode.BLOCKMAP_BLOCK_SIZE_UNEXPECTED,
    severity: harmless ? 'warning' : 'error',
    part: file.name,
    block: sized,
    message: harmless
      ? `${file.name} is stored, yet its blocks carry Size="65536", which Windows reads as if it were absent; Windows writers omit it`
      : `${file.name} is stored, but block ${sized} has a Size: the SDK refuses any but 65536 on a stored block`,
  });
}

function sizeSum(sizes: readonly (number | undefined)[]): number {
  let sum = 0;
  for (const size of sizes) sum += size ?? 0;
  return sum;
}

function sizesAddUp(item: PackageItem, sizes: readonly (number | undefined)[]): boolean {
  const sum = sizeSum(sizes);
  return sum === item.compressedSize || sum === item.compressedSize - FINAL_BLOCK_BYTES;
}

/**
 * How to digest an item: a deflated item whose BlockMap sizes are complete and add up is inflated block by
 * block, each alone (what proves it can be streamed, §9.7); anything else as one stream, so its hashes and
 * CRC are still checked.
 */
export function digestRequest(item: PackageItem, file: BlockMapFile | undefined): DigestRequest {
  if (!file || item.method !== CompressionMethod.Deflate) return { item };
  const sizes = blockSizes(file);
  if (
    sizes.length === Math.ceil(item.uncompressedSize / BLOCK_SIZE) &&
    !sizes.includes(undefined) &&
    sizesAddUp(item, sizes)
  ) {
    return { item, blockSizes: sizes as readonly number[] };
  }
  return { item };
}
