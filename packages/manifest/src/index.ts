/** @appv/manifest: the footprint documents of an App-V package (FORMAT.md §2, §4–§7). */
export * from './appx-manifest.js';
export * from './block-map.js';
export * from './dynamic-config.js';
export * from './filesystem-metadata.js';
export * from './namespaces.js';
export * from './package-history.js';
export * from './stream-map.js';
