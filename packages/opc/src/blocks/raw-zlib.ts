import zlib from 'node:zlib';
import { BLOCK_SIZE } from '../limits.js';

/**
 * One raw-deflate zlib stream per worker, reset for every block and driven synchronously into memory the
 * caller owns. This is the hot loop of verify and pack (FORMAT.md §3: every block is a fresh stream).
 *
 * Why not `zlib.inflateRawSync` / `deflateRawSync` per block: each call allocates its output afresh, two
 * 64 KiB buffers per block, which V8 frees only once external memory has grown by tens of megabytes, so
 * each worker's footprint climbed by ~50 MB on a large package. Writing into a reused buffer keeps a
 * worker flat; the inflater also reuses one handle (`reset()` is the documented fresh stream), which saves
 * its setup (~20% of an inflate).
 *
 * It drives the handle's `writeSync`, the primitive Node's own sync API is built on but does not
 * document. Where a runtime lacks it, the same results come from the portable one-shot calls (with their
 * allocations); `portable` forces that path, so tests cover both.
 */

interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inputOffset: number,
    inputLength: number,
    output: Uint8Array,
    outputOffset: number,
    outputLength: number,
  ): void;
  onerror: (message: string, errno: number) => void;
}

interface EngineInternals {
  readonly _handle?: ZlibHandle;
  /** [output bytes left, input bytes left] after each writeSync. */
  readonly _writeState?: Uint32Array;
}

/** A zlib failure inside a block (corrupt data): the message is zlib's own. */
export class ZlibDataError extends Error {}

/** An engine's handle driven directly: one synchronous write at a time, zlib's error thrown here. */
class DirectHandle {
  private failure: string | null = null;

  private constructor(
    private readonly handle: ZlibHandle,
    private readonly state: Uint32Array,
  ) {
    // Keep zlib's error to throw it here rather than let Node destroy the stream on it.
    handle.onerror = (message: string) => {
      this.failure = message;
    };
  }

  /** The engine's handle, or null on a runtime without `writeSync` (the caller takes the portable path). */
  static of(engine: zlib.Zlib): DirectHandle | null {
    const { _handle: handle, _writeState: state } = engine as unknown as EngineInternals;
    return typeof handle?.writeSync === 'function' && state ? new DirectHandle(handle, state) : null;
  }

  /** True once a write failed: zlib's state is then undefined and the engine must be replaced. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Writes `input` from `inputOffset` into `output`; returns [output bytes left, input bytes left]. */
  write(
    flush: number,
    input: Uint8Array,
    inputOffset: number,
    output: Uint8Array,
    outputOffset: number,
    outputLength: number,
  ): [number, number] {
    this.handle.writeSync(
      flush,
      input,
      inputOffset,
      input.length - inputOffset,
      output,
      outputOffset,
      outputLength,
    );
    if (this.failure !== null) throw new ZlibDataError(this.failure);
    return [this.state[0] as number, this.state[1] as number];
  }
}

/** What a block inflated to, in the inflater's 64 KiB chunks. */
export interface InflateOutcome {
  /** Uncompressed bytes produced. */
  readonly produced: number;
  /** Input bytes zlib read; fewer than given when the deflate stream ended before the input did. */
  readonly consumed: number;
}

/** Inflates independent blocks and small whole streams, one reused handle, output in 64 KiB chunks. */
export class RawInflater {
  readonly portable: boolean;
  private engine: zlib.InflateRaw;
  /** The handle when driven directly; null on the portable path. */
  private direct: DirectHandle | null = null;
  private readonly chunk = Buffer.allocUnsafe(BLOCK_SIZE);

  constructor(options: { portable?: boolean } = {}) {
    this.portable = options.portable ?? false;
    this.engine = this.adopt();
  }

  /**
   * Inflates `input` from a fresh stream with a sync flush (a block need not end the stream, FORMAT.md §3),
   * handing each full 64 KiB of output (and the last, shorter piece) to `onChunk` before the next is made:
   * the view is reused. More than `cap` bytes of output is a RangeError at the first excess chunk, so a bomb
   * costs one chunk. Corrupt data is a ZlibDataError.
   */
  inflate(input: Uint8Array, cap: number, onChunk: (chunk: Buffer) => void): InflateOutcome {
    const direct = this.direct;
    if (!direct) return this.inflatePortable(input, cap, onChunk);
    this.restart();
    try {
      return inflateInto(direct, input, this.chunk, cap, onChunk);
    } catch (error) {
      this.restart();
      throw error;
    }
  }

  private inflatePortable(input: Uint8Array, cap: number, onChunk: (chunk: Buffer) => void): InflateOutcome {
    let result: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      result = zlib.inflateRawSync(input, {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        maxOutputLength: Math.max(cap, 1),
        info: true,
      } as zlib.ZlibOptions) as unknown as typeof result;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new RangeError(`inflates to more than ${cap} bytes`);
      throw new ZlibDataError(error instanceof Error ? error.message : String(error));
    }
    const { buffer } = result;
    if (buffer.length > cap) throw new RangeError(`inflates to more than ${cap} bytes`);
    for (let at = 0; at < buffer.length; at += BLOCK_SIZE) onChunk(buffer.subarray(at, at + BLOCK_SIZE));
    return { produced: buffer.length, consumed: result.engine.bytesWritten };
  }

  /** Back to a fresh stream (after an error the engine is replaced: zlib's state is then undefined). */
  private restart(): void {
    if (this.direct && !this.direct.failed) {
      this.engine.reset();
      return;
    }
    this.engine.close();
    this.engine = this.adopt();
  }

  private adopt(): zlib.InflateRaw {
    const engine = zlib.createInflateRaw();
    this.direct = this.portable ? null : DirectHandle.of(engine);
    return engine;
  }
}

/**
 * Feeds `input` to a direct handle with a sync flush, handing each full `chunk` of output (and the last,
 * shorter piece) to `onChunk` before the next is made. More than `room` bytes of output is a RangeError at
 * the first excess chunk, so a bomb costs one chunk.
 */
function inflateInto(
  direct: DirectHandle,
  input: Uint8Array,
  chunk: Buffer,
  room: number,
  onChunk: (chunk: Buffer) => void,
): InflateOutcome {
  let produced = 0;
  let inputOffset = 0;
  for (;;) {
    const [outputLeft, inputLeft] = direct.write(
      zlib.constants.Z_SYNC_FLUSH,
      input,
      inputOffset,
      chunk,
      0,
      chunk.length,
    );
    const have = chunk.length - outputLeft;
    inputOffset = input.length - inputLeft;
    produced += have;
    if (produced > room) throw new RangeError(`inflates to more than ${room} bytes`);
    if (have > 0) onChunk(chunk.subarray(0, have));
    // A partly filled chunk means zlib stopped for want of input or at the end of the stream.
    if (outputLeft > 0) return { produced, consumed: inputOffset };
  }
}

/**
 * One deflate stream inflated piece by piece, synchronously, for an item too large to inflate whole and
 * with no BlockMap sizes to cut it at (a plain ZIP's large entry). It holds the stream's zlib state between
 * pieces; output goes through the caller's reused chunk, so a gigabyte stream allocates nothing per piece.
 * Null from `open` on a runtime without the direct handle: the caller then uses Node's zlib stream.
 */
export class StreamInflater {
  private made = 0;

  private constructor(
    private readonly engine: zlib.InflateRaw,
    private readonly direct: DirectHandle,
    private readonly chunk: Buffer,
    private readonly cap: number,
  ) {}

  static open(cap: number, chunk: Buffer, options: { portable?: boolean } = {}): StreamInflater | null {
    if (options.portable) return null;
    const engine = zlib.createInflateRaw();
    const direct = DirectHandle.of(engine);
    if (!direct) {
      engine.close();
      return null;
    }
    return new StreamInflater(engine, direct, chunk, cap);
  }

  /**
   * Inflates the next piece. `consumed` short of the piece means the deflate stream ended inside it; once
   * ended, nothing more is consumed. Corrupt data is a ZlibDataError, more than `cap` bytes a RangeError.
   */
  feed(input: Uint8Array, onChunk: (chunk: Buffer) => void): InflateOutcome {
    const outcome = inflateInto(this.direct, input, this.chunk, this.cap - this.made, onChunk);
    this.made += outcome.produced;
    return outcome;
  }

  close(): void {
    this.engine.close();
  }
}

/**
 * Deflates 64 KiB blocks, each as a fresh stream ended by a full flush (FORMAT.md §3), straight into the
 * caller's buffer. Unlike the inflater, each block gets a new handle, closed at once: `reset()` leaves the
 * bytes past the input in zlib's window, and a reused stream's match choices can depend on them (15 of
 * 2,815 real blocks came out a byte different), so `pack --deterministic` would depend on which worker took
 * which block. A new handle costs about what a reset does; closing it frees its state before the next.
 */
export class RawDeflater {
  constructor(
    readonly level: number,
    readonly portable = false,
  ) {}

  /**
   * Writes the deflated block into `output` at `at` and returns its length; `output.ensure` is asked for
   * room first (zlib's bound), so the block is written in one call.
   */
  deflate(input: Uint8Array, output: Output, at: number): number {
    if (this.portable) return deflatePortable(input, this.level, output, at);
    const engine = zlib.createDeflateRaw({ level: this.level, chunkSize: zlib.constants.Z_MIN_CHUNK });
    try {
      const direct = DirectHandle.of(engine);
      if (!direct) return deflatePortable(input, this.level, output, at);
      let inputOffset = 0;
      let written = 0;
      for (;;) {
        const buffer = output.ensure(at + written + deflateBound(input.length - inputOffset));
        const room = buffer.length - at - written;
        const [outputLeft, inputLeft] = direct.write(
          zlib.constants.Z_FULL_FLUSH,
          input,
          inputOffset,
          buffer,
          at + written,
          room,
        );
        written += room - outputLeft;
        inputOffset = input.length - inputLeft;
        // Room left over means the flush completed; none means zlib may have more to say.
        if (outputLeft > 0) return written;
      }
    } finally {
      engine.close();
    }
  }
}

/** The same block from the documented one-shot call (with its allocations). */
function deflatePortable(input: Uint8Array, level: number, output: Output, at: number): number {
  const block = zlib.deflateRawSync(input, { level, finishFlush: zlib.constants.Z_FULL_FLUSH });
  output.ensure(at + block.length).set(block, at);
  return block.length;
}

/** A growable output buffer: the writer's reusable job output. */
export interface Output {
  /** The buffer, enlarged (contents kept) if it is shorter than `length`. */
  ensure(length: number): Uint8Array;
}

/** zlib's deflateBound for raw deflate plus the 5-byte full-flush marker, and slack. */
function deflateBound(length: number): number {
  return length + (length >>> 12) + (length >>> 14) + (length >>> 25) + 64;
}
