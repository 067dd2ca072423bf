import {
  type AppVSchemaVersion,
  type BlockMap,
  type BlockMapFile,
  type BlockRange,
  blockRanges,
  blockSizes,
  expectedBlockCount,
  type FeatureBlock,
  type StreamMap,
} from '@appv/manifest';
import {
  AppvError,
  BLOCK_SIZE,
  CompressionMethod,
  checkOptionKeys,
  ErrorCode,
  type Finding,
  methodName,
  nameKey,
  type OptionKeys,
  type PackageInput,
  type PackageItem,
  throwIfAborted,
} from '@appv/opc';
import { AppvPackage } from './appv-package.js';
import { loadDocument } from './load-document.js';

/** What `appv info` shows: identity, applications and feature blocks (FORMAT.md §4, §6) and sizes. */
export interface PackageInfo {
  readonly name: string;
  readonly publisher: string;
  readonly version: string;
  /** `appv:PackageId`; null in a plain AppX/MSIX package. */
  readonly packageId: string | null;
  /** `appv:VersionId`; null in a plain AppX/MSIX package. */
  readonly versionId: string | null;
  /** Newest App-V manifest namespace declared (FORMAT.md §6), or null for AppX/MSIX. */
  readonly appvSchemaVersion: AppVSchemaVersion | null;
  readonly displayName: string | null;
  readonly applications: readonly ApplicationInfo[];
  /** From StreamMap.xml, in document order; empty without one. */
  readonly featureBlocks: readonly FeatureBlockInfo[];
  /** `LoadAll="true"` on any feature block: the client downloads everything before launch (FORMAT.md §4). */
  readonly loadAll: boolean;
  /** Parts: the ZIP items less `[Content_Types].xml` and directory entries. */
  readonly partCount: number;
  /** Every ZIP item, as `ls` lists them. */
  readonly itemCount: number;
  /** Every ZIP item, footprint included. */
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  /** compressedBytes / uncompressedBytes (0.25 = a quarter of the size); null for an empty package. */
  readonly compressionRatio: number | null;
  /**
   * Footprint documents that could not be read (malformed BlockMap or StreamMap…), reported instead of
   * failing so that `info` still describes a damaged package. `appv verify` gives the full picture.
   */
  readonly problems: readonly Finding[];
}

export interface ApplicationInfo {
  readonly id: string | null;
  /** App-V `VisualElements/Name`; null for AppX applications. */
  readonly name: string | null;
  /** App-V `Target` (tokenized path) or AppX `Executable`. */
  readonly target: string | null;
  readonly version: string | null;
}

export interface FeatureBlockInfo {
  /** `PublishingFeatureBlock`, `PrimaryFeatureBlock`, or whatever the StreamMap names. */
  readonly id: string;
  readonly loadAll: boolean;
  readonly files: number;
  readonly blocks: number;
  readonly uncompressedBytes: number;
  /**
   * Bytes a client downloads for this block set: BlockMap `Block/@Size` for deflated items, the slice
   * length for stored ones (FORMAT.md §3). Null when unknown (no BlockMap, or a deflated item whose
   * blocks lack `Size`).
   */
  readonly compressedBytes: number | null;
}

/**
 * Summarises a package. Only a missing or unreadable AppxManifest.xml throws (there is no identity to
 * show); everything else degrades: AppX/MSIX has no App-V ids and no StreamMap, and without a readable
 * BlockMap feature blocks have no compressed sizes.
 */
export interface PackageInfoOptions {
  /** Heard between the documents read (the package's listing too, when given a path). */
  readonly signal?: AbortSignal | undefined;
}

const INFO_OPTION_KEYS: OptionKeys<PackageInfoOptions> = { signal: 'signal' };

export async function packageInfo(
  input: AppvPackage | PackageInput,
  options: PackageInfoOptions = {},
): Promise<PackageInfo> {
  checkOptionKeys(options, INFO_OPTION_KEYS, 'packageInfo');
  const { signal } = options;
  throwIfAborted(signal);
  if (input instanceof AppvPackage) return infoOf(input, signal);
  // A path or bytes, as verifyPackage takes: opened read-only for this and closed after (a TypeError before).
  const pkg = await AppvPackage.open(input, { readOnly: true, ...(signal ? { signal } : {}) });
  try {
    return await infoOf(pkg, signal);
  } finally {
    await pkg.close();
  }
}

async function infoOf(pkg: AppvPackage, signal: AbortSignal | undefined): Promise<PackageInfo> {
  const read = { signal };
  const manifest = await pkg.manifest(read);
  throwIfAborted(signal);
  const problems: Finding[] = [];
  const sink = { add: (finding: Finding) => problems.push(finding) };
  const blockMap = await loadDocument(() => pkg.blockMap(read), sink);
  throwIfAborted(signal);
  const streamMap = await loadDocument(() => pkg.streamMap(read), sink);
  throwIfAborted(signal);

  const { identity, properties } = manifest;
  const uncompressedBytes = sum(pkg.items.map((i) => i.uncompressedSize));
  const compressedBytes = sum(pkg.items.map((i) => i.compressedSize));
  const featureBlocks = streamMap ? describeFeatureBlocks(pkg, streamMap, blockMap) : [];
  return {
    name: identity.name,
    publisher: identity.publisher,
    version: identity.version,
    packageId: identity.packageId ?? null,
    versionId: identity.versionId ?? null,
    appvSchemaVersion: manifest.schemaVersion,
    displayName: properties.displayName ?? null,
    applications: manifest.applications.map((app) => ({
      id: app.id ?? null,
      name: app.visualElements.name ?? null,
      target: app.target ?? app.executable ?? null,
      version: app.visualElements.version ?? null,
    })),
    featureBlocks,
    loadAll: featureBlocks.some((block) => block.loadAll),
    partCount: pkg.opc.parts.length,
    itemCount: pkg.items.length,
    uncompressedBytes,
    compressedBytes,
    compressionRatio: uncompressedBytes === 0 ? null : compressedBytes / uncompressedBytes,
    problems,
  };
}

function describeFeatureBlocks(
  pkg: AppvPackage,
  streamMap: StreamMap,
  blockMap: BlockMap | null,
): FeatureBlockInfo[] {
  const mapFiles = new Map<string, BlockMapFile>();
  for (const file of blockMap?.files ?? []) {
    if (!mapFiles.has(nameKey(file.name))) mapFiles.set(nameKey(file.name), file);
  }
  return streamMap.featureBlocks.map((block) => describeFeatureBlock(pkg, block, blockMap ? mapFiles : null));
}

function describeFeatureBlock(
  pkg: AppvPackage,
  block: FeatureBlock,
  mapFiles: ReadonlyMap<string, BlockMapFile> | null,
): FeatureBlockInfo {
  let blocks = 0;
  let uncompressedBytes = 0;
  let compressedBytes: number | null = mapFiles ? 0 : null;
  for (const file of block.files) {
    const item = pkg.opc.item(file.name);
    const mapFile = mapFiles?.get(nameKey(file.name));
    // The ZIP's size is authoritative; a StreamMap name that exists nowhere contributes nothing (a finding for verify).
    const size = item?.uncompressedSize ?? mapFile?.size ?? 0;
    const sizes = mapFile ? blockSizes(mapFile) : [];
    for (const range of blockRanges(file, expectedBlockCount(size))) {
      blocks += range.end - range.start;
      uncompressedBytes += bytesOf(range.start, range.end, size);
      if (compressedBytes !== null) {
        const downloaded = downloadedBytes(item, sizes, range, size);
        compressedBytes = downloaded === null ? null : compressedBytes + downloaded;
      }
    }
  }
  return {
    id: block.id,
    loadAll: block.loadAll,
    files: block.files.length,
    blocks,
    uncompressedBytes,
    compressedBytes,
  };
}

/** Uncompressed bytes of blocks [start, end) of a file of `size` bytes (the last block may be short). */
function bytesOf(start: number, end: number, size: number): number {
  return Math.max(0, Math.min(end * BLOCK_SIZE, size) - start * BLOCK_SIZE);
}

/**
 * FORMAT.md §3: a deflated block's bytes are its `Size`; a stored block's are the slice itself; null when a
 * deflated block has no `Size`. Only blocks the BlockMap lists are visited one by one (it bounds them);
 * those past its list are a stored slice, or unknown.
 */
function downloadedBytes(
  item: PackageItem | undefined,
  sizes: readonly (number | undefined)[],
  range: BlockRange,
  size: number,
): number | null {
  const stored = item?.method === CompressionMethod.Stored;
  let total = 0;
  const listedEnd = Math.min(range.end, sizes.length);
  for (let index = range.start; index < listedEnd; index++) {
    const declared = sizes[index];
    if (declared !== undefined) total += declared;
    else if (stored) total += bytesOf(index, index + 1, size);
    else return null;
  }
  const rest = Math.max(range.start, listedEnd);
  if (rest >= range.end) return total;
  return stored ? total + bytesOf(rest, range.end, size) : null;
}

/** One row of `appv ls`. */
export interface PartRow {
  /** Decoded name, BlockMap form (`Root\VFS\a b.dll`). */
  readonly name: string;
  /** The ZIP item name as written (`Root/VFS/a%20b.dll`). */
  readonly zipName: string;
  readonly size: number;
  readonly compressedSize: number;
  /** `stored`, `deflate`, or `method N` for a method OPC does not allow. */
  readonly method: string;
  /** 64 KiB blocks the BlockMap must list for this item: ceil(size / 65536). */
  readonly blocks: number;
  /** From `[Content_Types].xml`; null for the content types stream itself or an untyped part. */
  readonly contentType: string | null;
  readonly crc32: number;
}

/** Every ZIP item (footprint included) in central directory order. */
export function listParts(pkg: AppvPackage): PartRow[] {
  if (!(pkg instanceof AppvPackage)) {
    throw new AppvError(
      ErrorCode.USAGE,
      'listParts takes an open package (openPackage), not a path or bytes',
    );
  }
  return pkg.items.map((item) => ({
    name: item.name,
    zipName: item.zipName,
    size: item.uncompressedSize,
    compressedSize: item.compressedSize,
    method: methodName(item.method),
    blocks: expectedBlockCount(item.uncompressedSize),
    contentType: item.contentType ?? null,
    crc32: item.crc32,
  }));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
