import { type BlockMapFile, blockCount, blockHash } from '@appv/manifest';
import { BLOCK_SIZE, ErrorCode, type FindingSink, hex, type ItemDigest } from '@appv/opc';

/**
 * FORMAT.md §9.7: each block inflates alone to 64 KiB (the last one shorter) and hashes to the BlockMap's
 * value; the whole item's CRC-32 matches the central directory.
 */
export function checkDigest(digest: ItemDigest, file: BlockMapFile | undefined, sink: FindingSink): void {
  const { item } = digest;
  const part = item.name;
  if (digest.error !== null) {
    sink.add({
      code: ErrorCode.ZIP_DATA_INVALID,
      severity: 'error',
      part,
      // The digest's reason says what went wrong itself ("does not inflate: …", "inflates past …").
      message: `${part}: ${digest.error}`,
    });
    return;
  }
  digest.blockErrors.forEach((error, block) => {
    if (error === null) return;
    const code = error.startsWith('inflates to more')
      ? ErrorCode.HASH_BLOCK_LENGTH
      : ErrorCode.HASH_BLOCK_INFLATE;
    sink.add({ code, severity: 'error', part, block, message: `${part}, block ${block}: ${error}` });
  });
  digest.blockLengths.forEach((length, block) => {
    const expected = Math.min(BLOCK_SIZE, item.uncompressedSize - block * BLOCK_SIZE);
    if (length >= 0 && length !== expected) {
      sink.add({
        code: ErrorCode.HASH_BLOCK_LENGTH,
        severity: 'error',
        part,
        block,
        message: `${part}, block ${block} inflates to ${length} bytes, not ${expected}`,
      });
    }
  });
  if (file) compareHashes(digest, file, sink);
  if (digest.crc32 !== null && digest.length === item.uncompressedSize && digest.crc32 !== item.crc32) {
    sink.add({
      code: ErrorCode.CRC_MISMATCH,
      severity: 'error',
      part,
      message: `${part}: CRC-32 of the content is 0x${hex(digest.crc32)}, the central directory says 0x${hex(item.crc32)}`,
    });
  }
  if (digest.mode === 'stream' && digest.length !== item.uncompressedSize) {
    sink.add({
      code: ErrorCode.ZIP_SIZE_MISMATCH,
      severity: 'error',
      part,
      message: `${part} inflates to ${digest.length} bytes, the central directory says ${item.uncompressedSize}`,
    });
  }
}

function compareHashes(digest: ItemDigest, file: BlockMapFile, sink: FindingSink): void {
  const count = Math.min(blockCount(file), digest.blockCount);
  for (let block = 0; block < count; block++) {
    const actual = digest.blockHash(block);
    const expected = blockHash(file, block);
    if (!actual || !expected || actual.equals(expected)) continue;
    sink.add({
      code: ErrorCode.HASH_MISMATCH,
      severity: 'error',
      part: file.name,
      block,
      message: `${file.name}, block ${block}: ${digest.algorithm} is ${actual.toString('base64')}, the BlockMap says ${expected.toString('base64')}`,
    });
  }
}
