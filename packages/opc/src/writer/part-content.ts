import { closeSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import type { BufferPool } from '../blocks/buffer-pool.js';
import { AppvError, ErrorCode, throwIfAborted, toAppvError } from '../errors.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import type { CompressionMethod } from '../zip/compression-method.js';
import type { WrittenBlock } from './written-part.js';

/**
 * What a part's bytes come from: memory, a file on disk (read in WRITE_JOB_BYTES pieces, never whole), or any stream
 * such as a Node `Readable` (its length need not be known in advance).
 */
export type PartContent = Uint8Array | FileContent | AsyncIterable<Uint8Array>;

export interface FileContent {
  readonly path: string;
  /** The size the caller saw; the file must still have it when read (else PACK_SOURCE_CHANGED). */
  readonly size?: number;
}

/**
 * A part copied as its raw compressed bytes from another package: no inflate, no deflate (FORMAT.md §3: the
 * per-block sizes and hashes stay true because the bytes do not change).
 */
export interface RawPartContent {
  readonly source: RandomAccessSource;
  /** Where the compressed bytes start in `source` (after the local header). */
  readonly dataOffset: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc: number;
  readonly method: CompressionMethod;
  /** The part's BlockMap blocks in the source package. */
  readonly blocks: readonly WrittenBlock[];
}

export function isFileContent(content: PartContent): content is FileContent {
  return !(content instanceof Uint8Array) && typeof (content as FileContent).path === 'string';
}

/** The content's length when it can be known before reading: memory, or a file (stat). */
export async function knownSize(content: PartContent, name: string): Promise<number | undefined> {
  if (content instanceof Uint8Array) return content.length;
  if (!isFileContent(content)) return undefined;
  if (content.size !== undefined) return content.size;
  try {
    const info = await stat(content.path);
    if (!info.isFile()) throw notAFile(content.path, name);
    return info.size;
  } catch (error) {
    throw toAppvError(error, ErrorCode.PACK_SOURCE_UNREADABLE, { part: name });
  }
}

/**
 * Reads a small file whole into `target` at `at`, synchronously: for the thousands of small files of a real
 * package, one open/read/close without event-loop hops is several times faster, and each call is short.
 */
export function readSmallFile(
  content: FileContent,
  size: number,
  target: Uint8Array,
  at: number,
  name: string,
): void {
  let fd: number;
  try {
    fd = openSync(content.path, 'r');
  } catch (error) {
    throw unreadable(error, content.path, name);
  }
  try {
    // One byte more than expected tells a file that grew from one exactly as large as stat said. It is read
    // with the rest when `target` has room past the part (it then lands where the next part will go), which
    // saves a read call per file; otherwise it takes one more.
    const probeInline = at + size < target.length;
    const want = probeInline ? size + 1 : size;
    let done = 0;
    while (done < want) {
      const n = readSync(fd, target, at + done, want - done, done);
      if (n === 0) break;
      done += n;
    }
    const grew = probeInline ? done > size : done === size && readSync(fd, Buffer.alloc(1), 0, 1, size) !== 0;
    if (done < size || grew) throw changed(content.path, name, size);
  } catch (error) {
    throw toAppvError(error, ErrorCode.PACK_SOURCE_UNREADABLE, { part: name });
  } finally {
    closeSync(fd);
  }
}

/** A piece of a part: `length` bytes at the start of `buffer`, a whole buffer taken from the writer's pool. */
export interface ContentPiece {
  readonly buffer: Uint8Array;
  readonly length: number;
}

/**
 * The content in pieces of exactly `pool.size` bytes (the last one shorter, and none for empty content),
 * each read into a buffer from `pool`. A file is checked against its expected size at the end.
 */
export async function* readPieces(
  content: PartContent,
  pool: BufferPool,
  name: string,
  expectedSize: number | undefined,
  signal?: AbortSignal,
): AsyncGenerator<ContentPiece> {
  if (content instanceof Uint8Array) {
    for (let at = 0; at < content.length; at += pool.size) {
      const buffer = pool.take();
      const piece = content.subarray(at, at + pool.size);
      buffer.set(piece);
      yield { buffer, length: piece.length };
    }
  } else if (isFileContent(content)) {
    yield* readFilePieces(content, pool, name, expectedSize, signal);
  } else {
    yield* rechunk(content, pool, name, signal);
  }
}

async function* readFilePieces(
  content: FileContent,
  pool: BufferPool,
  name: string,
  expectedSize: number | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<ContentPiece> {
  const pieceSize = pool.size;
  let handle: FileHandle;
  try {
    handle = await open(content.path, 'r');
  } catch (error) {
    throw unreadable(error, content.path, name);
  }
  try {
    let position = 0;
    for (;;) {
      throwIfAborted(signal);
      const piece = pool.take();
      let fill = 0;
      while (fill < pieceSize) {
        const { bytesRead } = await handle.read(piece, fill, pieceSize - fill, position);
        if (bytesRead === 0) break;
        fill += bytesRead;
        position += bytesRead;
      }
      if (expectedSize !== undefined && position > expectedSize)
        throw changed(content.path, name, expectedSize);
      if (fill > 0) yield { buffer: piece, length: fill };
      else pool.give(piece);
      if (fill < pieceSize) break;
    }
    if (expectedSize !== undefined && position !== expectedSize)
      throw changed(content.path, name, expectedSize);
  } catch (error) {
    throw toAppvError(error, ErrorCode.PACK_SOURCE_UNREADABLE, { part: name });
  } finally {
    await handle.close();
  }
}

async function* rechunk(
  chunks: AsyncIterable<Uint8Array>,
  pool: BufferPool,
  name: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<ContentPiece> {
  const pieceSize = pool.size;
  let piece = pool.take();
  let fill = 0;
  try {
    for await (const chunk of chunks) {
      throwIfAborted(signal);
      let at = 0;
      while (at < chunk.length) {
        const take = Math.min(pieceSize - fill, chunk.length - at);
        piece.set(chunk.subarray(at, at + take), fill);
        fill += take;
        at += take;
        if (fill === pieceSize) {
          yield { buffer: piece, length: fill };
          piece = pool.take();
          fill = 0;
        }
      }
    }
  } catch (error) {
    throw toAppvError(error, ErrorCode.PACK_SOURCE_UNREADABLE, { part: name });
  }
  if (fill > 0) yield { buffer: piece, length: fill };
  else pool.give(piece);
}

function unreadable(error: unknown, path: string, name: string): AppvError {
  const reason = error instanceof Error ? error.message : String(error);
  return new AppvError(ErrorCode.PACK_SOURCE_UNREADABLE, `Cannot read ${path} for ${name}: ${reason}`, {
    part: name,
    cause: error,
  });
}

function notAFile(path: string, name: string): AppvError {
  return new AppvError(ErrorCode.PACK_SOURCE_UNREADABLE, `${path} (for ${name}) is not a regular file`, {
    part: name,
  });
}

function changed(path: string, name: string, size: number): AppvError {
  return new AppvError(
    ErrorCode.PACK_SOURCE_CHANGED,
    `${path} (for ${name}) changed while being packed: it no longer has ${size} bytes`,
    { part: name },
  );
}
