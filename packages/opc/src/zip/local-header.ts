import { ErrorCode } from '../errors.js';
import type { FindingSink } from '../finding.js';
import { hex } from '../hex.js';
import { indicesBy } from '../index-order.js';
import { LOCAL_HEADER_READ_AHEAD } from '../limits.js';
import { quoted } from '../printable-text.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import {
  FLAG_DATA_DESCRIPTOR,
  LOCAL_HEADER_SIZE,
  SDK_VERSIONS_NEEDED,
  SIG_LOCAL_HEADER,
  UINT32_SATURATED,
} from './signatures.js';
import type { ZipItem } from './zip-item.js';

/** A local file header (APPNOTE 4.3.7) as written. */
export interface LocalHeader {
  readonly offset: number;
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** A view into the read window: valid only while the header is being handled (see readLocalHeaders). */
  readonly name: Buffer;
  /** 30 + name + extra: the BlockMap's `LfhSize` (FORMAT.md §2). */
  readonly size: number;
}

/** Receives each header (or the reason it could not be read) with the index of its offset. */
export type LocalHeaderHandler = (index: number, header: LocalHeader | string) => void;

/** Room read after a header for its name and extra field, so one read usually gets the whole header. */
const NAME_ALLOWANCE = 512;

/**
 * Reads in flight while listing, for a source whose reads wait (HTTP; a file's larger ones in libuv's thread
 * pool, which has four threads). A file source answers a header window synchronously, so its readers then
 * simply take turns.
 */
const READS_IN_FLIGHT = 4;

/**
 * Reads the local headers at the given offsets, in file order, so headers of neighbouring small entries
 * come from one read (a package of 20,000 small files would otherwise cost 40,000 reads), with a few reads
 * in flight at once (the reads, not the parsing, are what listing waits on). Each header goes to `handle`
 * while its read window is alive, so nothing is copied; each reader reuses one buffer for its windows, so
 * listing a package allocates no memory per header.
 */
export async function readLocalHeaders(
  source: RandomAccessSource,
  offsets: ArrayLike<number>,
  limit: number,
  handle: LocalHeaderHandler,
  signal?: AbortSignal,
): Promise<void> {
  const order = indicesBy(offsets.length, (i) => offsets[i] as number);
  /** The offset of the header `position` places in file order. */
  const offsetAt = (position: number) => offsets[order[position] as number] as number;
  let first = 0;
  // Headers that cannot lie before the central directory sort last; they are reported, never read.
  let readable = order.length;
  while (readable > 0 && offsetAt(readable - 1) + LOCAL_HEADER_SIZE > limit) readable--;
  for (let i = readable; i < order.length; i++) {
    handle(
      order[i] as number,
      `its local header at offset ${offsetAt(i)} is not before the central directory`,
    );
  }
  const reachOf = (position: number) =>
    Math.min(offsetAt(position) + LOCAL_HEADER_SIZE + NAME_ALLOWANCE, limit);
  const reader = async () => {
    const window = Buffer.allocUnsafeSlow(LOCAL_HEADER_READ_AHEAD + LOCAL_HEADER_SIZE + NAME_ALLOWANCE);
    while (first < readable) {
      // Takes the next cluster: the headers within LOCAL_HEADER_READ_AHEAD of its first one.
      const from = first;
      const start = offsetAt(from);
      let end = reachOf(from);
      for (first++; first < readable; first++) {
        const reach = reachOf(first);
        if (reach - start > LOCAL_HEADER_READ_AHEAD) break;
        end = Math.max(end, reach);
      }
      const to = first;
      const bytes = await source.read(start, end - start, signal, window);
      for (let i = from; i < to; i++) {
        const offset = offsetAt(i);
        const header = parseLocalHeader(bytes, offset - start, offset);
        handle(
          order[i] as number,
          header === 'short' ? await longHeader(source, offset, limit, signal) : header,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, order.length) }, reader));
}

/** A header whose name and extra run past the window's allowance: read exactly what it needs. */
async function longHeader(
  source: RandomAccessSource,
  offset: number,
  limit: number,
  signal?: AbortSignal,
): Promise<LocalHeader | string> {
  const fixed = await source.read(offset, LOCAL_HEADER_SIZE, signal);
  const length = LOCAL_HEADER_SIZE + fixed.readUInt16LE(26) + fixed.readUInt16LE(28);
  if (offset + length > limit) return `its local header at offset ${offset} runs into the central directory`;
  const whole = parseLocalHeader(await source.read(offset, length, signal), 0, offset);
  return whole === 'short' ? `its local header at offset ${offset} is truncated` : whole;
}

function parseLocalHeader(bytes: Buffer, at: number, offset: number): LocalHeader | 'short' | string {
  if (at + LOCAL_HEADER_SIZE > bytes.length) return 'short';
  if (bytes.readUInt32LE(at) !== SIG_LOCAL_HEADER) {
    return `no local header signature at offset ${offset} (found 0x${bytes.readUInt32LE(at).toString(16)})`;
  }
  const nameLength = bytes.readUInt16LE(at + 26);
  const extraLength = bytes.readUInt16LE(at + 28);
  const size = LOCAL_HEADER_SIZE + nameLength + extraLength;
  if (at + size > bytes.length) return 'short';
  return {
    offset,
    versionNeeded: bytes.readUInt16LE(at + 4),
    flags: bytes.readUInt16LE(at + 6),
    method: bytes.readUInt16LE(at + 8),
    crc32: bytes.readUInt32LE(at + 14),
    compressedSize: bytes.readUInt32LE(at + 18),
    uncompressedSize: bytes.readUInt32LE(at + 22),
    name: bytes.subarray(at + LOCAL_HEADER_SIZE, at + LOCAL_HEADER_SIZE + nameLength),
    size,
  };
}

/**
 * FORMAT.md §9.2: the local header must agree with its central directory entry on method, flags and name,
 * or two readers (one walking local headers, one the central directory) would see different packages.
 * `rawName` is the central directory's name bytes when `item.zipName` does not spell them one character per
 * byte (a UTF-8 name that is not ASCII); otherwise the name is compared against `zipName` itself.
 */
export function checkLocalHeader(
  item: ZipItem,
  header: LocalHeader,
  rawName: Buffer | undefined,
  sink: FindingSink,
): void {
  const name = item.zipName;
  const at = { part: name, offset: item.localHeaderOffset };
  const mismatch = (what: string, local: string | number, central: string | number) =>
    sink.add({
      code: ErrorCode.ZIP_LFH_MISMATCH,
      severity: 'error',
      message: `${name}: the local header's ${what} (${local}) differs from the central directory's (${central})`,
      ...at,
    });
  if (header.method !== item.method) mismatch('compression method', header.method, item.method);
  if (header.flags !== item.flags) mismatch('general purpose flags', hex4(header.flags), hex4(item.flags));
  if (!(rawName ? header.name.equals(rawName) : spellsBytes(name, header.name))) {
    mismatch('name', quoted(header.name.toString('latin1')), quoted(name));
  }
  // With a data descriptor (bit 3) the local header's CRC and compressed size are 0 (FORMAT.md §8): the SDK
  // refuses anything else ("Invalid Zip CRC", "Invalid Zip compressed size") but reads the uncompressed
  // size unchecked [sdk], and Info-ZIP writing to a pipe puts the real one there, so that one is let be.
  if (header.flags & FLAG_DATA_DESCRIPTOR) {
    const set = (
      [
        ['CRC-32', header.crc32],
        ['compressed size', header.compressedSize],
      ] as const
    ).filter(([, value]) => value !== 0);
    if (set.length > 0) {
      sink.add({
        code: ErrorCode.ZIP_LFH_INVALID,
        severity: 'error',
        message: `${name}: the local header announces a data descriptor (flag bit 3), yet its ${set.map(([what]) => what).join(', ')} ${set.length === 1 ? 'is' : 'are'} not 0`,
        ...at,
      });
    }
  } else {
    // Without a data descriptor the local header carries CRC and sizes itself (saturated = in a ZIP64 extra).
    if (header.crc32 !== item.crc32) mismatch('CRC-32', hex4(header.crc32), hex4(item.crc32));
    if (header.compressedSize !== UINT32_SATURATED && header.compressedSize !== item.compressedSize) {
      mismatch('compressed size', header.compressedSize, item.compressedSize);
    }
    if (header.uncompressedSize !== UINT32_SATURATED && header.uncompressedSize !== item.uncompressedSize) {
      mismatch('uncompressed size', header.uncompressedSize, item.uncompressedSize);
    }
  }
  if (!SDK_VERSIONS_NEEDED.includes(header.versionNeeded)) {
    sink.add({
      code: ErrorCode.ZIP_LFH_VERSION,
      severity: 'error',
      message: `${name}: local header "version needed" is ${header.versionNeeded}; the AppX SDK accepts only 20 or 45`,
      ...at,
    });
  }
}

/** True when `bytes` are `text` one byte per character (Latin-1, so ASCII too), compared without a copy. */
export function spellsBytes(text: string, bytes: Uint8Array): boolean {
  if (text.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (text.charCodeAt(i) !== bytes[i]) return false;
  return true;
}

function hex4(value: number): string {
  return `0x${hex(value, 4)}`;
}
