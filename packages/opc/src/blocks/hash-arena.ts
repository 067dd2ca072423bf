/** Fresh memory is taken in slabs of this size (or twice a run that outgrows one). */
const SLAB_BYTES = 64 * 1024;

/**
 * Runs of block digests (one run per file or part) laid end to end in shared slabs, so 40,000 digests cost a
 * few buffers rather than 40,000 (compact-blocks.ts): where the BlockMap parser decodes them, and where
 * digestPackage keeps what it computed.
 * A run that outgrows its slab moves to a larger one; the finished runs before it stay where they are.
 */
export class HashArena {
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private start = 0;
  private used = 0;

  /** Starts the next run. */
  begin(): void {
    this.start = this.used;
  }

  /** Decodes `base64` (already checked to be `length` bytes of base64) onto the current run. */
  add(base64: string, length: number): void {
    if (this.used + length > this.slab.length) this.move(length);
    this.used += this.slab.write(base64, this.used, length, 'base64');
  }

  /** Copies `bytes` onto the current run. */
  addBytes(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.slab.length) this.move(bytes.length);
    this.slab.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** The current run's bytes (a view into the slab). */
  end(): Buffer {
    return this.slab.subarray(this.start, this.used);
  }

  private move(length: number): void {
    const run = this.slab.subarray(this.start, this.used);
    const slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, 2 * (run.length + length)));
    run.copy(slab);
    this.slab = slab;
    this.start = 0;
    this.used = run.length;
  }
}
