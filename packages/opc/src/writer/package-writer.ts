/**
 * The block-aligned package writer (FORMAT.md §3, §8).
 *
 * Why not yazl: a streaming App-V client fetches single 64 KiB blocks by byte range and inflates each alone,
 * which only works if the writer deflates every block with a full flush (Z_FULL_FLUSH: byte-aligned output,
 * dictionary reset) and records each block's compressed size for AppxBlockMap.xml. yazl pipes a whole entry
 * through one zlib stream: it never flushes per block and cannot say where one block's bytes end, so its
 * output can be listed but never streamed. It also writes the classic ZIP profile (version 20 headers with
 * sizes, no ZIP64 unless forced) rather than the SDK's. yazl stays in the tests, for ordinary ZIPs.
 *
 * How it works: a producer (`addPart`) reads each part in 64 KiB-aligned pieces (small parts gathered into
 * one job) and hands them to the block workers, which deflate every block alone, hash it and CRC it (so
 * both cores compress and nothing is read twice); a single writing loop takes the answers in part order and
 * writes local header, blocks, final block and data descriptor. The BlockMap is then built from what was
 * recorded (`parts`). Memory is bounded by the pool's jobs in flight plus WRITE_QUEUE_BYTES of answers not
 * yet written, whatever the package's size.
 */

import type { Writable } from 'node:stream';
import { checkHashAlgorithm, HASH_LENGTH, type HashAlgorithm } from '../blocks/block-job.js';
import { BufferPool } from '../blocks/buffer-pool.js';
import { blockSizes, shareBlocks, withCompactBlocks } from '../blocks/compact-blocks.js';
import { crc32Combine } from '../blocks/crc32-combine.js';
import { leavesStreamOpen } from '../blocks/stream-continuation.js';
import { WorkerPool } from '../blocks/worker-pool.js';
import { callerCallback } from '../caller-callback.js';
import { AppvError, abortError, ErrorCode, isAppvError, toAppvError } from '../errors.js';
import { BLOCK_SIZE, SMALL_PART_BYTES, WRITE_JOB_BYTES, WRITE_QUEUE_BYTES } from '../limits.js';
import {
  checkModelArgument,
  checkOptionKeys,
  checkPathArgument,
  checkTextArgument,
  describeValue,
  type OptionKeys,
} from '../option-keys.js';
import {
  CONTENT_TYPES_ITEM,
  decodeItemNameLeniently,
  encodePartName,
  isDriveLetter,
  nameKey,
  partNameProblems,
  swapSeparators,
} from '../part-name.js';
import { quoted } from '../printable-text.js';
import { CompressionMethod } from '../zip/compression-method.js';
import { UINT16_SATURATED } from '../zip/signatures.js';
import { AtomicFile, checkOutputTarget } from './atomic-file.js';
import { CompressBatch, type JobBuffers, pieceOf, releaser, submitCompress } from './compress-batch.js';
import { DOS_EPOCH, type DosDateTime, toDosDateTime } from './dos-time.js';
import { OutputSink } from './output-sink.js';
import {
  type FileContent,
  knownSize,
  type PartContent,
  type RawPartContent,
  readPieces,
  readSmallFile,
} from './part-content.js';
import { PendingPart, type Piece } from './pending-part.js';
import {
  centralHeader,
  dataDescriptor,
  endRecords,
  localHeader,
  localHeaderSize,
} from './profile-records.js';
import type { WrittenPart } from './written-part.js';

/** Deflate can grow incompressible input a little (stored blocks, flush markers): room for that per job. */
const OUTPUT_SLACK = 64 * 1024;
/** Buffers kept for reuse per pool: what is in flight at once (jobs per worker × workers, plus the queue). */
const POOLED_BUFFERS = 8;

/** FORMAT.md §3: the empty final block (BFINAL=1, fixed Huffman, end-of-block) that ends a deflated part. */
const FINAL_DEFLATE_BLOCK = Uint8Array.of(0x03, 0x00);

export type PartMethod = 'auto' | 'deflate' | 'stored';
const PART_METHODS: readonly PartMethod[] = ['auto', 'deflate', 'stored'];

export interface PackageWriterOptions {
  /** Deflate level 1–9 (default 6); 0 stores every part. */
  readonly level?: number | undefined;
  /** BlockMap hash (FORMAT.md §2); default sha256. */
  readonly algorithm?: HashAlgorithm | undefined;
  /** Worker threads (default: every core). Ignored when `pool` is given. */
  readonly threads?: number | undefined;
  /** A pool to share (the caller destroys it); by default the writer makes and destroys its own. */
  readonly pool?: WorkerPool | undefined;
  /** Timestamp of every entry; default now. */
  readonly modified?: Date | undefined;
  /** Fixed timestamps (1980-01-01), so the same input gives the same bytes. */
  readonly deterministic?: boolean | undefined;
  /** For a path target: replace an existing file (default true). */
  readonly overwrite?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Uncompressed bytes written so far. */
  readonly onProgress?: ((bytes: number) => void) | undefined;
}

export interface AddPartOptions {
  /** `auto` (default) deflates unless it saves under ~1.6%; `stored` for content that is already compressed. */
  readonly method?: PartMethod;
  /** False for parts the BlockMap never lists (FORMAT.md §1); default true. */
  readonly inBlockMap?: boolean;
}

const WRITER_OPTION_KEYS: OptionKeys<PackageWriterOptions> = {
  level: true,
  algorithm: true,
  threads: true,
  pool: 'pool',
  modified: true,
  deterministic: 'boolean',
  overwrite: 'boolean',
  signal: 'signal',
  onProgress: 'function',
};

const ADD_PART_OPTION_KEYS: OptionKeys<AddPartOptions> = { method: true, inBlockMap: 'boolean' };

export interface WrittenPackage {
  readonly parts: readonly WrittenPart[];
  /** Total bytes written. */
  readonly size: number;
}

type State = 'open' | 'finishing' | 'done' | 'failed';

export class PackageWriter {
  private readonly writtenParts: WrittenPart[] = [];
  private readonly queue: PendingPart[] = [];
  private readonly names = new Map<string, string>();
  /** Key of every folder the names so far lie in → the first name inside it. */
  private readonly folders = new Map<string, string>();
  private readonly pool: WorkerPool;
  private readonly ownsPool: boolean;
  private readonly batch: CompressBatch;
  private readonly buffers: JobBuffers = {
    inputs: new BufferPool(WRITE_JOB_BYTES, POOLED_BUFFERS),
    outputs: new BufferPool(WRITE_JOB_BYTES + OUTPUT_SLACK, POOLED_BUFFERS),
  };
  private readonly algorithm: HashAlgorithm;
  private readonly level: number;
  private readonly dosTime: DosDateTime;
  private state: State = 'open';
  private failure: AppvError | null = null;
  private queuedBytes = 0;
  private progressBytes = 0;
  private wakeWriter: (() => void) | null = null;
  private wakeProducer: (() => void) | null = null;
  private adding = false;
  private current: PendingPart | null = null;
  private released: Promise<void> | null = null;
  /** Parts accepted by addPart/addRawPart, and who waits for all of them to be written. */
  private admitted = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly writing: Promise<void>;
  private readonly onAbort = () => this.fail(abortError(this.options.signal as AbortSignal));
  private readonly onProgress: ((bytes: number) => void) | undefined;
  /** Aborted, with the failure as its reason, when the writer fails: stops whatever reads a part's content. */
  private readonly halt = new AbortController();

  private constructor(
    private readonly sink: OutputSink,
    private readonly options: PackageWriterOptions,
    private readonly file: AtomicFile | null,
    private readonly stream: Writable | null,
  ) {
    checkHashAlgorithm(options.algorithm, 'PackageWriter');
    this.algorithm = options.algorithm ?? 'sha256';
    this.onProgress = callerCallback('onProgress', options.onProgress);
    this.level = options.level ?? 6;
    if (!Number.isInteger(this.level) || this.level < 0 || this.level > 9) {
      throw new AppvError(
        ErrorCode.PACK_INPUT_INVALID,
        `Deflate level ${quoted(options.level)} is not a whole number from 0 to 9`,
      );
    }
    this.dosTime = options.deterministic ? DOS_EPOCH : toDosDateTime(options.modified ?? new Date());
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? new WorkerPool(options.threads);
    this.batch = new CompressBatch(this.pool, this.buffers, this.algorithm, this.level);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    // A failure of the writing loop (the disk is full, the stream broke) fails the writer: the producer
    // waiting for queue room would otherwise wait forever for a loop that is gone, and the temporary file
    // would stay behind.
    this.writing = this.writeLoop().catch((error: unknown) => {
      throw this.fail(toAppvError(error, ErrorCode.IO_WRITE_FAILED));
    });
    this.writing.catch(() => {});
    // The destination failing between writes fails the writer now, not at its next write: a part waiting on
    // a source that stopped sending would otherwise wait on (found by review). Once done, it is the caller's.
    this.sink.onFailure = (error) => {
      if (this.state !== 'done') this.fail(error);
    };
    // An abort before the listener was added (while toFile made the temporary file) is heard all the same.
    if (options.signal?.aborted) this.onAbort();
  }

  /** Writes to `path` through a temporary file renamed at `finish` (never a half package under that name). */
  static async toFile(path: string, options: PackageWriterOptions = {}): Promise<PackageWriter> {
    checkPathArgument(path, 'the package to write', 'PackageWriter.toFile');
    checkOptionKeys(options, WRITER_OPTION_KEYS, 'PackageWriter.toFile');
    if (options.signal?.aborted) throw abortError(options.signal);
    await checkOutputTarget(path); // a missing folder is named as such, not by the temporary file's name
    const file = await AtomicFile.create(path, { overwrite: options.overwrite ?? true });
    try {
      return new PackageWriter(OutputSink.toFile(file.handle, path), options, file, null);
    } catch (error) {
      await file.discard();
      throw error;
    }
  }

  /** Writes to a Node stream, ended by `finish`. */
  static toStream(stream: Writable, options: PackageWriterOptions = {}): PackageWriter {
    if (typeof (stream as Partial<Writable> | null)?.write !== 'function') {
      throw new AppvError(
        ErrorCode.USAGE,
        'PackageWriter.toStream: the destination must be a Writable stream',
      );
    }
    checkOptionKeys(options, WRITER_OPTION_KEYS, 'PackageWriter.toStream');
    const sink = OutputSink.toStream(stream);
    try {
      return new PackageWriter(sink, options, null, stream);
    } catch (error) {
      sink.detach(); // options refused: the caller's stream is left as it was given (found by review)
      throw error;
    }
  }

  /** Parts written so far, in package order. */
  get parts(): readonly WrittenPart[] {
    return this.writtenParts;
  }

  /**
   * Queues a part. `name` is the decoded part name (BlockMap form, `\` or `/` separators). Resolves once the
   * part's bytes are handed to the workers, not when they are written: call `finish` to wait for everything.
   */
  async addPart(name: string, content: PartContent, options: AddPartOptions = {}): Promise<void> {
    checkTextArgument(name, 'a part name', 'addPart');
    checkPartContent(content);
    checkOptionKeys(options, ADD_PART_OPTION_KEYS, 'addPart');
    if (options.method !== undefined && !PART_METHODS.includes(options.method)) {
      throw new AppvError(
        ErrorCode.USAGE,
        `addPart: option "method" must be ${PART_METHODS.map((m) => JSON.stringify(m)).join(', ')}, not ${quoted(options.method)}`,
      );
    }
    const part = this.admit(name, options.inBlockMap ?? true);
    this.adding = true;
    try {
      const mode: PartMethod = this.level === 0 ? 'stored' : (options.method ?? 'auto');
      const size = await knownSize(content, part.name);
      this.queue.push(part);
      this.wake();
      if (size !== undefined && size <= Math.min(SMALL_PART_BYTES, WRITE_JOB_BYTES)) {
        await this.addSmall(part, content, size, mode);
      } else {
        await this.addLarge(part, content, size, mode);
      }
    } catch (error) {
      throw await this.failed(toAppvError(error, ErrorCode.PACK_SOURCE_UNREADABLE, { part: part.name }));
    } finally {
      this.adding = false;
      part.close();
      this.wake();
    }
  }

  /**
   * Queues a part copied as raw compressed bytes from another package (no inflate, no deflate). A deflated
   * stream that stops after its last block's flush is given the final block (endsUnterminated).
   */
  async addRawPart(name: string, raw: RawPartContent, options: { inBlockMap?: boolean } = {}): Promise<void> {
    checkTextArgument(name, 'a part name', 'addRawPart');
    checkModelArgument(raw, 'a raw part (rawPartOf)', 'addRawPart', { source: 'object' });
    checkOptionKeys(options, { inBlockMap: 'boolean' }, 'addRawPart');
    checkRaw(name, raw);
    const part = this.admit(name, options.inBlockMap ?? true, raw);
    try {
      await this.batch.submit();
    } catch (error) {
      throw await this.failed(toAppvError(error, ErrorCode.WORKER_FAILED, { part: part.name }));
    }
    this.queue.push(part);
    part.close();
    this.wake();
  }

  /**
   * Waits until every part added so far is written and returns their records: what the BlockMap is built
   * from before it is itself added.
   */
  async written(): Promise<readonly WrittenPart[]> {
    this.assertOpen();
    await this.batch.submit();
    while (this.writtenParts.length < this.admitted) {
      this.throwIfFailed();
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
    this.throwIfFailed();
    return this.writtenParts;
  }

  /** Waits for every part, writes the central directory and end records, then renames or ends the output. */
  async finish(): Promise<WrittenPackage> {
    if (this.failure) {
      await this.release(); // the temporary file is gone when the failure is reported
      throw this.failure;
    }
    // Outside the try: a second finish() is refused, and must not fail (and discard) the one under way
    // (found by review).
    this.assertOpen();
    try {
      this.state = 'finishing';
      await this.batch.submit();
      this.wake();
      await this.writing;
      this.throwIfFailed();
      const directoryOffset = this.sink.position;
      for (const part of this.writtenParts) await this.sink.write(centralHeader(part));
      const directorySize = this.sink.position - directoryOffset;
      await this.sink.write(endRecords(this.writtenParts.length, directoryOffset, directorySize));
      await this.sink.flush();
      this.throwIfFailed();
      if (this.file) await this.file.commit(this.options.signal);
      if (this.stream) await endStream(this.stream);
      this.state = 'done';
      return { parts: this.writtenParts, size: this.sink.position };
    } catch (error) {
      throw this.fail(toAppvError(error, ErrorCode.IO_WRITE_FAILED));
    } finally {
      await this.release();
    }
  }

  /** Stops, discards the temporary file (or destroys the stream) and releases the workers. */
  async abort(reason?: unknown): Promise<void> {
    this.fail(new AppvError(ErrorCode.ABORTED, 'The package writer was aborted', { cause: reason }));
    await this.writing.catch(() => undefined);
    await this.release();
  }

  // ---- producer side ---------------------------------------------------------------------------------

  private admit(name: string, inBlockMap: boolean, raw?: RawPartContent): PendingPart {
    this.assertOpen();
    if (this.adding) {
      throw new AppvError(
        ErrorCode.WRITER_STATE,
        'Parts are written in order: await each addPart before the next',
      );
    }
    // FORMAT.md §1: the content types stream is not a part; its item name is fixed and never encoded.
    if (name === CONTENT_TYPES_ITEM) {
      this.claimName(name);
      return new PendingPart(name, name, false, this.dosTime, raw);
    }
    const decoded = swapSeparators(name, '/', '\\');
    const zipName = encodePartName(decoded);
    // The headers give a name 16 bits of length (FORMAT.md §8); past that it would fail only when written.
    if (zipName.length > UINT16_SATURATED) {
      throw new AppvError(
        ErrorCode.PACK_NAME_INVALID,
        `"${decoded.slice(0, 80)}…" cannot be a part name: its ZIP name is ${zipName.length} bytes, more than the ${UINT16_SATURATED} a ZIP header holds`,
        { part: decoded },
      );
    }
    const problems = partNameProblems(zipName);
    // A drive letter hides behind its encoded ':' in the ZIP name, but a client joining names would see it.
    const drive = decoded.includes(':') ? decoded.split('\\').find(isDriveLetter) : undefined;
    if (drive !== undefined) problems.push(`segment "${drive}" is a Windows drive letter`);
    // Nothing escaped (no `%`, most names): decoding only swaps the separators back, so it survives.
    const survives = !zipName.includes('%') || decodeItemNameLeniently(zipName) === decoded;
    if (problems.length > 0 || !survives) {
      throw new AppvError(
        ErrorCode.PACK_NAME_INVALID,
        `"${name}" cannot be a part name: ${problems.join('; ') || 'it does not survive encoding'}`,
        { part: decoded },
      );
    }
    this.claimName(decoded);
    return new PendingPart(decoded, zipName, inBlockMap, this.dosTime, raw);
  }

  private claimName(name: string): void {
    const key = nameKey(name);
    const earlier = this.names.get(key);
    if (earlier !== undefined) {
      throw new AppvError(
        ErrorCode.PACK_NAME_COLLISION,
        `"${name}" and "${earlier}" are the same part name (OPC compares names case-insensitively)`,
        { part: name },
      );
    }
    this.claimFolders(name, key);
    this.names.set(key, name);
    this.admitted++;
  }

  /**
   * OPC: no part name is another's plus more segments (`a` and `a\b`), or the package is invalid
   * (OPC_NAME_PREFIX). Refused as the second name comes, before anything of it is written (found by review:
   * the writer wrote such a package, which verify then rejected). Keys of every folder named so far are
   * kept; a part is refused when its key is one, or when one of its folders is a part.
   */
  private claimFolders(name: string, key: string): void {
    const inside = this.folders.get(key);
    if (inside !== undefined) throw folderCollision(inside, name);
    const folders: string[] = [];
    for (let end = key.indexOf('\\'); end > 0; end = key.indexOf('\\', end + 1)) {
      const folder = key.slice(0, end);
      const part = this.names.get(folder);
      if (part !== undefined) throw folderCollision(name, part);
      folders.push(folder);
    }
    for (const folder of folders) if (!this.folders.has(folder)) this.folders.set(folder, name);
  }

  private async addSmall(
    part: PendingPart,
    content: PartContent,
    size: number,
    mode: PartMethod,
  ): Promise<void> {
    if (size === 0) return; // no pieces: an empty part is stored
    await this.waitForQueueRoom(size);
    if (this.batch.room < size) await this.batch.submit();
    const { buffer, at } = this.batch.slot();
    // Only memory and files have a size known in advance (knownSize), so only they come here.
    if (content instanceof Uint8Array) buffer.set(content, at);
    else readSmallFile(content as FileContent, size, buffer, at, part.name);
    this.queuedBytes += size;
    part.push(this.batch.add(size, mode));
  }

  private async addLarge(
    part: PendingPart,
    content: PartContent,
    size: number | undefined,
    mode: PartMethod,
  ): Promise<void> {
    // Earlier small parts must not wait behind this one's reads (the writing loop takes parts in order).
    await this.batch.submit();
    // FORMAT.md §8 gives a part one method. With `auto`, the first piece decides it; until its answer is
    // back, later pieces are deflated speculatively and keep their input, so no core waits for the decision.
    let decided: 'stored' | 'deflate' | null = mode === 'auto' ? null : mode;
    let first = true;
    for await (const piece of readPieces(content, this.buffers.inputs, part.name, size, this.halt.signal)) {
      this.throwIfFailed();
      await this.waitForQueueRoom(piece.length);
      this.queuedBytes += piece.length;
      const segment = {
        offset: 0,
        length: piece.length,
        mode: decided ?? (first ? 'auto' : 'deflate'),
      } as const;
      const job = submitCompress(this.pool, this.buffers, this.algorithm, this.level, piece.buffer, [
        segment,
      ]);
      const result = job.result.then((answer) => pieceOf(answer, 0, releaser(this.buffers, answer, 1)));
      part.push(result);
      if (first && decided === null) {
        result.then(
          (answer) => {
            decided = answer.stored ? 'stored' : 'deflate';
          },
          () => {}, // the writing loop reports it
        );
      }
      first = false;
      await job.taken;
    }
  }

  private async waitForQueueRoom(bytes: number): Promise<void> {
    const full = () => this.queuedBytes > 0 && this.queuedBytes + bytes > WRITE_QUEUE_BYTES;
    while (full()) {
      this.throwIfFailed();
      // The writing loop may be waiting for a part whose bytes are still gathered here.
      await this.batch.submit();
      // Checked again as the wait begins: a wake-up (a failure, the last piece written) sent while submit()
      // was awaited went to the previous waiter, and waiting now would be waiting forever.
      await new Promise<void>((resolve) => {
        if (this.failure || !full()) resolve();
        else this.wakeProducer = resolve;
      });
    }
    this.throwIfFailed();
  }

  // ---- writing side ----------------------------------------------------------------------------------

  private async writeLoop(): Promise<void> {
    for (let part = await this.nextPart(); part !== null; part = await this.nextPart()) {
      this.current = part;
      this.writtenParts.push(part.raw ? await this.writeRaw(part) : await this.writeCompressed(part));
      this.current = null;
      this.wakeDrainWaiters();
    }
  }

  private async nextPart(): Promise<PendingPart | null> {
    for (;;) {
      this.throwIfFailed();
      const part = this.queue.shift();
      if (part) return part;
      if (this.state !== 'open') return null;
      await new Promise<void>((resolve) => {
        this.wakeWriter = resolve;
      });
    }
  }

  private async writeCompressed(part: PendingPart): Promise<WrittenPart> {
    const first = await this.piece(part, 0);
    const method = first === null || first.stored ? CompressionMethod.Stored : CompressionMethod.Deflate;
    const offset = this.sink.position;
    await this.sink.write(localHeader(part.zipName, method, part.dosTime));
    // Block records stay compact (compact-blocks.ts): each piece's own digest array, joined at the end.
    const hashPieces: Uint8Array[] = [];
    const sizes: (number | undefined)[] = [];
    let crc = 0;
    let size = 0;
    let compressedSize = 0;
    const stored = method === CompressionMethod.Stored;
    const hashLength = HASH_LENGTH[this.algorithm];
    for (let index = 0, piece = first; piece !== null; piece = await this.piece(part, ++index)) {
      const bytes = piece.stored === stored ? piece.bytes : stored ? piece.input : null;
      if (bytes === null) {
        throw new AppvError(ErrorCode.WORKER_FAILED, `${part.name}: a piece came back in the wrong method`);
      }
      await this.sink.write(bytes);
      crc = crc32Combine(crc, piece.crc, piece.length);
      size += piece.length;
      compressedSize += bytes.length;
      hashPieces.push(piece.hashes);
      const count = piece.hashes.length / hashLength;
      for (let block = 0; block < count; block++) sizes.push(stored ? undefined : piece.sizes[block]);
      piece.release();
      this.queuedBytes -= piece.length;
      this.wakeProducer?.();
      this.progress(piece.length);
    }
    if (method === CompressionMethod.Deflate) {
      await this.sink.write(FINAL_DEFLATE_BLOCK);
      compressedSize += FINAL_DEFLATE_BLOCK.length;
    }
    await this.sink.write(dataDescriptor(crc, compressedSize, size));
    const hashes = hashPieces.length === 1 ? (hashPieces[0] as Uint8Array) : Buffer.concat(hashPieces);
    const record = this.record(part, { method, offset, crc, size, compressedSize });
    return withCompactBlocks(record, hashes, hashLength, sizes);
  }

  private async writeRaw(part: PendingPart): Promise<WrittenPart> {
    const raw = part.raw as RawPartContent;
    const offset = this.sink.position;
    await this.sink.write(localHeader(part.zipName, raw.method, part.dosTime));
    for (let at = 0; at < raw.compressedSize; at += WRITE_JOB_BYTES) {
      this.throwIfFailed();
      const length = Math.min(WRITE_JOB_BYTES, raw.compressedSize - at);
      await this.sink.write(await raw.source.read(raw.dataOffset + at, length, this.options.signal));
    }
    let compressedSize = raw.compressedSize;
    if (await this.endsUnterminated(raw)) {
      await this.sink.write(FINAL_DEFLATE_BLOCK);
      compressedSize += FINAL_DEFLATE_BLOCK.length;
    }
    await this.sink.write(dataDescriptor(raw.crc, compressedSize, raw.size));
    this.progress(raw.size);
    const record = this.record(part, {
      method: raw.method,
      offset,
      crc: raw.crc,
      size: raw.size,
      compressedSize,
    });
    return shareBlocks(record, raw);
  }

  /**
   * A deflated part copied raw whose stream stops after its last block's full flush, with no final block: some
   * SDK-built packages end so (FORMAT.md §3: Σ Block Size = compressed size), and Windows reads them, but
   * `unzip -t` and 7-Zip call the data invalid. Such a copy is given the 2-byte final block our own parts end
   * with (Σ = compressed size − 2): the blocks, their sizes and hashes, and the CRC stay as they are (found by
   * review: edit carried the gap into its output). Whether the stream is still open is asked of its last
   * block, inflated alone with the verifier's continuation probe, read again (one block, only for parts whose
   * sizes sum to their length): a last block that itself ends the stream (a final stored block counted into
   * it, as Go's flate writes) also sums so and ends in `00 00 FF FF`, and bytes after it would be invalid.
   */
  private async endsUnterminated(raw: RawPartContent): Promise<boolean> {
    const sizes = blockSizes(raw);
    const lastSize = sizes.at(-1);
    if (raw.method !== CompressionMethod.Deflate || lastSize === undefined) return false;
    if (sizeSum(sizes) !== raw.compressedSize) return false;
    const last = await raw.source.read(
      raw.dataOffset + raw.compressedSize - lastSize,
      lastSize,
      this.options.signal,
    );
    return leavesStreamOpen(last);
  }

  private async piece(part: PendingPart, index: number): Promise<Piece | null> {
    const piece = await part.next(index);
    this.throwIfFailed();
    return piece;
  }

  private record(
    part: PendingPart,
    fields: Pick<WrittenPart, 'method' | 'offset' | 'crc' | 'size' | 'compressedSize'>,
  ): Omit<WrittenPart, 'blocks'> {
    return {
      name: part.name,
      zipName: part.zipName,
      dosTime: part.dosTime,
      lfhSize: localHeaderSize(part.zipName),
      inBlockMap: part.inBlockMap,
      ...fields,
    };
  }

  private progress(bytes: number): void {
    this.progressBytes += bytes;
    this.onProgress?.(this.progressBytes);
  }

  // ---- state -----------------------------------------------------------------------------------------

  private wake(): void {
    const wake = this.wakeWriter;
    this.wakeWriter = null;
    wake?.();
  }

  private assertOpen(): void {
    this.throwIfFailed();
    if (this.state !== 'open') {
      throw new AppvError(
        ErrorCode.WRITER_STATE,
        `The package writer is ${this.state}: no more parts can be added`,
      );
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Records the first failure, wakes everyone so they see it, and returns it for the caller to throw. */
  private fail(error: AppvError): AppvError {
    if (!this.failure) {
      this.failure = isAppvError(error) ? error : toAppvError(error, ErrorCode.IO_WRITE_FAILED);
      this.state = 'failed';
      // Whoever waits for a piece must see the failure too, and the temporary file goes at once.
      for (const part of this.queue) part.close();
      this.current?.close();
      this.batch.abandon(this.failure);
      this.halt.abort(this.failure);
      // Observed here: a cleanup that fails (a temporary file that cannot be removed) must not become an
      // unhandled rejection that ends the process (found by review); abort() and finish() still see it.
      this.release().catch(() => {});
    }
    this.wake();
    this.wakeProducer?.();
    this.wakeDrainWaiters();
    return this.failure;
  }

  /**
   * `fail`, then waits for the clean-up, for a caller the failure is reported to: addPart rejected while the
   * temporary file was still there, so a caller that then removed its scratch folder got ENOTEMPTY (found by
   * review), as finish() already waited. A clean-up that fails is not this failure's report.
   */
  private async failed(error: AppvError): Promise<AppvError> {
    const failure = this.fail(error);
    await this.release().catch(() => {});
    return failure;
  }

  private wakeDrainWaiters(): void {
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  /** Once: removes the temporary file unless committed, and stops the workers it owns. */
  private release(): Promise<void> {
    this.released ??= (async () => {
      this.options.signal?.removeEventListener('abort', this.onAbort);
      if (this.state !== 'done') {
        await this.file?.discard();
        this.stream?.destroy();
      }
      if (this.ownsPool) await this.pool.destroy();
      this.sink.detach(true);
    })();
    return this.released;
  }
}

/** FORMAT.md §3, §9.6: a raw copy must carry a BlockMap that fits its bytes, or the copy would not verify. */
/** Content addPart can read: bytes, a file, or an async iterable of bytes (USAGE otherwise, not a TypeError). */
function checkPartContent(content: unknown): void {
  if (content instanceof Uint8Array) return;
  if (typeof content === 'object' && content !== null) {
    if (typeof (content as { path?: unknown }).path === 'string') return;
    if (typeof (content as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') return;
  }
  throw new AppvError(
    ErrorCode.USAGE,
    `addPart takes a Buffer, { path } or an async iterable of Buffers as content, not ${describeValue(content)}`,
  );
}

function checkRaw(name: string, raw: RawPartContent): void {
  const blocks = Math.ceil(raw.size / BLOCK_SIZE);
  const sizes = blockSizes(raw);
  const sum = sizeSum(sizes);
  const fits =
    sizes.length === blocks &&
    (raw.method === CompressionMethod.Stored
      ? raw.compressedSize === raw.size && sizes.every((size) => size === undefined)
      : sizes.every((size) => size !== undefined) &&
        (sum === raw.compressedSize || sum === raw.compressedSize - 2));
  if (!fits) {
    throw new AppvError(
      ErrorCode.PACK_INPUT_INVALID,
      `${name}: its BlockMap entry does not describe its compressed bytes, so it cannot be copied raw`,
      { part: name },
    );
  }
}

/** Σ Block Size (FORMAT.md §3); a stored part's blocks have none. */
function sizeSum(sizes: readonly (number | undefined)[]): number {
  return sizes.reduce((total: number, size) => total + (size ?? 0), 0);
}

/**
 * Ends the stream and waits until it has taken every byte: `end`'s callback gets an error when the stream
 * was destroyed first (it was ignored, so a package of which nothing arrived was reported written), and a
 * stream closed before finishing calls it not at all (found by review).
 */
function endStream(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error | null) => {
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onError = (error: Error) => settle(error);
    const onClose = () => {
      if (!stream.writableFinished)
        settle(
          new AppvError(
            ErrorCode.IO_WRITE_FAILED,
            'The output stream was closed before it took the whole package',
          ),
        );
    };
    stream.once('error', onError);
    stream.once('close', onClose);
    stream.end((error?: Error | null) => settle(error));
  });
}

function folderCollision(inner: string, outer: string): AppvError {
  return new AppvError(
    ErrorCode.PACK_NAME_COLLISION,
    `${quoted(inner)} would lie "inside" the part ${quoted(outer)}; a part name cannot be another's prefix (OPC)`,
    { part: inner },
  );
}
