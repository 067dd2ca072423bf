/**
 * Reused job buffers of one size for the workers' jobs (the writer's input and output at WRITE_JOB_BYTES, the
 * readers' at JOB_BYTES).
 * Every job moves its bytes to a worker and back; allocating fresh buffers for each would leave hundreds
 * of megabytes of dead ArrayBuffers waiting for a garbage collection that V8 only starts under
 * external-memory pressure (fflate's discipline: no allocation in the hot loop). Buffers travel to the
 * workers and back (transferred, never copied) and return here once their bytes are used.
 */
export class BufferPool {
  private readonly free: Uint8Array[] = [];

  constructor(
    /** Capacity of every buffer. */
    readonly size: number,
    /** Free buffers kept at most; more are left to the garbage collector. */
    private readonly keep: number,
  ) {}

  /** A buffer of the pool's size, or a fresh one of `length` when more is needed (not kept on return). */
  take(length = this.size): Uint8Array {
    if (length > this.size) return new Uint8Array(length);
    return this.free.pop() ?? new Uint8Array(this.size);
  }

  give(buffer: Uint8Array | null): void {
    if (buffer === null || buffer.buffer.byteLength !== this.size || this.free.length >= this.keep) return;
    if (buffer.byteOffset !== 0 || buffer.byteLength !== this.size) buffer = new Uint8Array(buffer.buffer);
    this.free.push(buffer);
  }
}
