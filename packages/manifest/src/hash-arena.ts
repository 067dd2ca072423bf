/** Fresh memory is taken in slabs of this size (or twice a run that outgrows one). */
const SLAB_BYTES = 64 * 1024;

/**
 * Where the BlockMap parser decodes block digests: runs of digests (one run per File) laid end to end in
 * shared slabs, so a map of 40,000 blocks costs a few buffers rather than 40,000 (see compact-blocks.ts in
 * @appv/opc).
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
