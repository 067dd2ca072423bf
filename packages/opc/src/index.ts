export { asciiLower, asciiUpper } from './ascii-case.js';
export { checkHashAlgorithm, HASH_LENGTH, type HashAlgorithm } from './blocks/block-job.js';
export {
  blockCount,
  blockHash,
  blockSizes,
  compactDigests,
  type HasBlocks,
  shareBlocks,
  withCompactBlocks,
} from './blocks/compact-blocks.js';
export { crc32Combine } from './blocks/crc32-combine.js';
export {
  type DigestOptions,
  digestItems,
  digestPackage,
  type PackageDigest,
} from './blocks/digest-package.js';
export type { DigestedPart } from './blocks/digested-part.js';
export { HashArena } from './blocks/hash-arena.js';
export type { DigestRequest, ItemDigest } from './blocks/item-digest.js';
export { defaultThreadCount, WorkerPool } from './blocks/worker-pool.js';
export { callerCallback } from './caller-callback.js';
export * from './content-types.js';
export * from './errors.js';
export * from './finding.js';
export { hex } from './hex.js';
export * from './limits.js';
export { LoopTurns } from './loop-turns.js';
export { nearestName } from './nearest-name.js';
export { OpcPackage, type OpenOptions, type PackageInput, type ReadPartOptions } from './opc-package.js';
export {
  checkListArgument,
  checkModelArgument,
  checkNumberArgument,
  checkOptionKeys,
  checkPathArgument,
  checkTextArgument,
  type ModelShape,
  type OptionKeys,
  type OptionKind,
} from './option-keys.js';
export { compareOrdinal } from './ordinal.js';
export type { ItemKind, PackageItem } from './package-item.js';
export {
  CONTENT_TYPES_ITEM,
  decodeItemName,
  decodeItemNameLeniently,
  driveReading,
  encodePartName,
  isDriveLetter,
  nameKey,
  partKey,
  partNameProblems,
} from './part-name.js';
export type { PartStreamOptions } from './part-stream.js';
export { printable, quoted } from './printable-text.js';
export { BufferSource } from './source/buffer-source.js';
export { CheckedSource } from './source/checked-source.js';
export { FileSource } from './source/file-source.js';
export * from './source/random-access-source.js';
export { describeError } from './system-error.js';
export { untilAborted } from './until-aborted.js';
export { strictUtf8 } from './utf8.js';
export {
  AtomicFile,
  checkOutputTarget,
  placeWithoutReplacing,
  placeWithoutReplacingSync,
  refuseExisting,
} from './writer/atomic-file.js';
export { DOS_EPOCH, type DosDateTime, toDosDateTime } from './writer/dos-time.js';
export {
  type AddPartOptions,
  PackageWriter,
  type PackageWriterOptions,
  type PartMethod,
  type WrittenPackage,
} from './writer/package-writer.js';
export type { FileContent, PartContent, RawPartContent } from './writer/part-content.js';
export {
  forgetTemporary,
  isTemporaryPathOf,
  removeTemporary,
  removeTemporaryFilesSync,
  TEMPORARY_PATH_EXTRA_BYTES,
  temporaryPathFor,
  trackTemporary,
} from './writer/temporary-files.js';
export type { WrittenBlock, WrittenPart } from './writer/written-part.js';
export * from './xml/index.js';
export * from './zip/compression-method.js';
export type { EndRecords, Zip64EndRecord } from './zip/end-records.js';
export type { ZipItem } from './zip/zip-item.js';
