/** @appv/manifest: the footprint documents of an App-V package (FORMAT.md §2, §4–§7). */

/** Block lists read without making one object per block (parsed BlockMap Files are compact). */
export { blockCount, blockHash, blockSizes, compactDigests } from '@appv/opc';
export * from './appx-manifest.js';
export * from './appx-manifest-builder.js';
export * from './block-map.js';
export * from './content-types-builder.js';
export * from './dynamic-config.js';
export * from './dynamic-config-builder.js';
export * from './filesystem-metadata.js';
export * from './filesystem-metadata-builder.js';
export type { FootprintParseOptions } from './footprint-document.js';
export * from './namespaces.js';
export * from './package-history.js';
export * from './package-history-builder.js';
export * from './package-versioning.js';
export * from './registry-hive.js';
export * from './short-name.js';
export * from './stream-map.js';
export * from './token-path.js';
