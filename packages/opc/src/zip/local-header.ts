import type yauzl from 'yauzl';
import { ErrorCode } from '../errors.js';
import type { FindingSink } from '../finding.js';
import { FLAG_DATA_DESCRIPTOR, SDK_VERSIONS_NEEDED, UINT32_SATURATED } from './signatures.js';

export interface LocalHeaderFacts {
  readonly dataOffset: number;
  readonly versionNeeded: number;
}

/**
 * FORMAT.md §9.2: the local header must agree with its central directory entry on method, flags and name,
 * or two readers (one walking local headers, one the central directory) would see different packages.
 */
export function checkLocalHeader(
  entry: yauzl.Entry,
  header: yauzl.LocalFileHeader,
  name: string,
  sink: FindingSink,
): LocalHeaderFacts {
  const at = { part: name, offset: entry.relativeOffsetOfLocalHeader };
  const mismatch = (what: string, local: string | number, central: string | number) =>
    sink.add({
      code: ErrorCode.ZIP_LFH_MISMATCH,
      severity: 'error',
      message: `${name}: the local header's ${what} (${local}) differs from the central directory's (${central})`,
      ...at,
    });

  if (header.compressionMethod !== entry.compressionMethod) {
    mismatch('compression method', header.compressionMethod, entry.compressionMethod);
  }
  if (header.generalPurposeBitFlag !== entry.generalPurposeBitFlag) {
    mismatch('general purpose flags', hex(header.generalPurposeBitFlag), hex(entry.generalPurposeBitFlag));
  }
  const localName = (header as unknown as { fileName: Buffer }).fileName;
  if (!Buffer.from(localName).equals(entry.fileNameRaw)) {
    mismatch('name', JSON.stringify(Buffer.from(localName).toString('latin1')), JSON.stringify(name));
  }
  if (!(header.generalPurposeBitFlag & FLAG_DATA_DESCRIPTOR)) {
    checkLocalSizes(entry, header, mismatch);
  }
  if (!SDK_VERSIONS_NEEDED.includes(header.versionNeededToExtract)) {
    sink.add({
      code: ErrorCode.ZIP_LFH_VERSION,
      severity: 'error',
      message: `${name}: local header "version needed" is ${header.versionNeededToExtract}; the AppX SDK accepts only 20 or 45`,
      ...at,
    });
  }
  return { dataOffset: header.fileDataStart, versionNeeded: header.versionNeededToExtract };
}

/** Without a data descriptor the local header carries CRC and sizes itself; they must match (saturated = ZIP64). */
function checkLocalSizes(
  entry: yauzl.Entry,
  header: yauzl.LocalFileHeader,
  mismatch: (what: string, local: string | number, central: string | number) => void,
): void {
  const local = header as unknown as { crc32: number; compressedSize: number; uncompressedSize: number };
  if (local.crc32 !== entry.crc32) mismatch('CRC-32', hex(local.crc32), hex(entry.crc32));
  if (local.compressedSize !== UINT32_SATURATED && local.compressedSize !== entry.compressedSize) {
    mismatch('compressed size', local.compressedSize, entry.compressedSize);
  }
  if (local.uncompressedSize !== UINT32_SATURATED && local.uncompressedSize !== entry.uncompressedSize) {
    mismatch('uncompressed size', local.uncompressedSize, entry.uncompressedSize);
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}
