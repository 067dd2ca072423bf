import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppvError, abortError, ErrorCode, isAppvError, throwIfAborted, toAppvError } from './errors.js';
import { hex } from './hex.js';
import { JOB_BYTES, WHOLE_READ_BYTES } from './limits.js';
import type { PackageItem } from './package-item.js';
import type { RandomAccessSource } from './source/random-access-source.js';
import { describeError } from './system-error.js';
import { CompressionMethod } from './zip/compression-method.js';

export interface PartStreamOptions {
  readonly signal?: AbortSignal | undefined;
  /** Check the CRC-32 and size against the central directory at the end (default true). */
  readonly verify?: boolean | undefined;
}

/**
 * The uncompressed bytes of an item as a Node stream. It never yields more bytes than the central directory
 * declares (a bomb is cut off at the first excess byte), and, unless `verify` is false, fails with
 * CRC_MISMATCH / ZIP_SIZE_MISMATCH at the end if the item is corrupt. Deflate streams are finished with a
 * sync flush, so items that omit the final empty block (FORMAT.md §3) read cleanly.
 */
export function openPartStream(
  source: RandomAccessSource,
  item: PackageItem,
  options: PartStreamOptions = {},
): Readable {
  assertReadable(item);
  const { signal } = options;
  const stream = Readable.from(checkedChunks(source, item, options.verify ?? true, signal), {
    objectMode: false,
  });
  if (signal) {
    // Heard at once, not at the next read: a stream paused by its consumer (a stalled HTTP client) held its
    // buffered chunk and its package read until someone read again (found by review).
    const onAbort = () => stream.destroy(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return stream;
}

/**
 * The uncompressed chunks of an item, size-capped and (optionally) CRC-checked; errors are AppvErrors naming
 * the part. The signal is heard between chunks, not only between reads: one read can hold a part that
 * inflates to hundreds of megabytes. An error the consumer injects (`destroy(error)` makes Readable.from
 * throw it in at the `yield`) passes through as it is: it is the consumer's, not the part's.
 */
async function* checkedChunks(
  source: RandomAccessSource,
  item: PackageItem,
  verify: boolean,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let length = 0;
  let crc = 0;
  const chunks = uncompressedChunks(source, item, signal)[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
        throwIfAborted(signal);
      } catch (error) {
        throw partError(error, item);
      }
      if (next.done) break;
      const chunk = next.value;
      length += chunk.length;
      if (length > item.uncompressedSize) throw pastDeclaredSize(item);
      if (verify) crc = zlib.crc32(chunk, crc);
      yield chunk;
    }
  } finally {
    await chunks.return?.();
  }
  checkContent(item, length, verify ? crc : null);
}

/** A failure while reading an item, as an AppvError that names the part and where its data starts. */
/**
 * A failure while reading or inflating `item`, typed, and named in its message: zlib's own words ("invalid
 * distance too far back") said nothing of which part (found by review: `appv extract` printed only them).
 */
function partError(error: unknown, item: PackageItem, doing: 'read' | 'inflate' = 'inflate'): AppvError {
  const location = { part: item.name, offset: item.dataOffset };
  if (isAppvError(error)) return toAppvError(error, ErrorCode.ZIP_DATA_INVALID, location);
  const what = doing === 'read' ? 'cannot be read' : 'does not inflate';
  return new AppvError(ErrorCode.ZIP_DATA_INVALID, `${item.name} ${what}: ${describeError(error)}`, {
    ...location,
    cause: error,
  });
}

/** The end checks of an item's content: its length, and its CRC-32 unless `crc` is null (not verified). */
function checkContent(item: PackageItem, length: number, crc: number | null): void {
  if (length !== item.uncompressedSize) {
    throw sizeError(item, `holds ${length} bytes, not the declared ${item.uncompressedSize}`);
  }
  if (crc !== null && crc !== item.crc32) {
    throw new AppvError(
      ErrorCode.CRC_MISMATCH,
      `${item.name}: CRC-32 is 0x${hex(crc)}, the central directory says 0x${hex(item.crc32)}`,
      { part: item.name, offset: item.dataOffset },
    );
  }
}

function pastDeclaredSize(item: PackageItem): AppvError {
  return sizeError(item, `inflates past its declared ${item.uncompressedSize} bytes`);
}

function uncompressedChunks(
  source: RandomAccessSource,
  item: PackageItem,
  signal?: AbortSignal,
): AsyncIterable<Buffer> {
  const compressed = Readable.from(compressedChunks(source, item, signal), { objectMode: false });
  if (item.method !== CompressionMethod.Deflate) return compressed;
  const inflater = zlib.createInflateRaw({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  compressed.on('error', (error) => inflater.destroy(error));
  inflater.on('close', () => compressed.destroy());
  return compressed.pipe(inflater);
}

/** Reads a whole item into memory, refusing one whose declared size exceeds `maxSize`. */
export async function readPartBuffer(
  source: RandomAccessSource,
  item: PackageItem,
  maxSize: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  if (typeof maxSize !== 'number' || Number.isNaN(maxSize) || maxSize < 0) {
    throw new AppvError(
      ErrorCode.USAGE,
      `maxSize must be a number of bytes (0 or more), not ${String(maxSize)}`,
    );
  }
  if (item.uncompressedSize > maxSize) {
    throw new AppvError(
      ErrorCode.ZIP_SIZE_LIMIT,
      `${item.name} is ${item.uncompressedSize} bytes; refusing to read more than ${maxSize} into memory`,
      { part: item.name },
    );
  }
  if (item.compressedSize <= WHOLE_READ_BYTES && item.uncompressedSize <= WHOLE_READ_BYTES) {
    return readWhole(source, item, signal);
  }
  // Into one buffer of the declared size, copied as it comes: gathering the chunks and concatenating them
  // held the part twice at the end (a 18 MB BlockMap cost 36; found by review). The stream never yields more
  // than the declared size, and checks it was all there. The buffer is reserved, not touched, until bytes
  // come; one the machine cannot reserve (a caller's large maxSize) is this part's failure, typed.
  let whole: Buffer;
  try {
    whole = Buffer.allocUnsafe(item.uncompressedSize);
  } catch (error) {
    throw new AppvError(
      ErrorCode.ZIP_SIZE_LIMIT,
      `${item.name} is ${item.uncompressedSize} bytes, more than this process can hold in memory`,
      { part: item.name, cause: error },
    );
  }
  let at = 0;
  for await (const chunk of openPartStream(source, item, { signal })) {
    (chunk as Buffer).copy(whole, at);
    at += (chunk as Buffer).length;
  }
  return whole.subarray(0, at);
}

/**
 * A small item in one read and one inflate call, with the stream's checks: never more than the declared
 * size (zlib stops at it), then length and CRC-32. A stream per part costs more than the part itself when
 * an extraction writes thousands of small files.
 */
async function readWhole(
  source: RandomAccessSource,
  item: PackageItem,
  signal?: AbortSignal,
): Promise<Buffer> {
  assertReadable(item);
  let compressed: Buffer;
  try {
    compressed = await source.read(item.dataOffset, item.compressedSize, signal);
  } catch (error) {
    throw partError(error, item, 'read');
  }
  let content: Buffer;
  if (item.method === CompressionMethod.Deflate) {
    try {
      content = zlib.inflateRawSync(compressed, {
        finishFlush: zlib.constants.Z_SYNC_FLUSH, // as the stream: items without the final block read cleanly
        maxOutputLength: Math.max(1, item.uncompressedSize),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw pastDeclaredSize(item);
      throw partError(error, item);
    }
  } else {
    content = Buffer.from(compressed); // a source may hand out a view of its own memory
  }
  checkContent(item, content.length, zlib.crc32(content));
  return content;
}

/** Refuses an item whose bytes cannot be read safely, or that has none (a directory entry). */
export function assertReadable(item: PackageItem): void {
  if (item.kind === 'directory') {
    throw new AppvError(
      ErrorCode.OPC_DIRECTORY_ENTRY,
      `${item.name} is a ZIP directory entry, which has no content`,
      { part: item.name, offset: item.localHeaderOffset },
    );
  }
  if (!item.readable) {
    throw new AppvError(
      ErrorCode.ZIP_DATA_INVALID,
      `${item.name} cannot be read safely (see the verifier's findings for why)`,
      { part: item.name, offset: item.localHeaderOffset },
    );
  }
}

async function* compressedChunks(
  source: RandomAccessSource,
  item: PackageItem,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  for (let done = 0; done < item.compressedSize; ) {
    const length = Math.min(JOB_BYTES, item.compressedSize - done);
    yield await source.read(item.dataOffset + done, length, signal);
    done += length;
  }
}

function sizeError(item: PackageItem, detail: string): AppvError {
  return new AppvError(ErrorCode.ZIP_SIZE_MISMATCH, `${item.name} ${detail}`, {
    part: item.name,
    offset: item.dataOffset,
  });
}
