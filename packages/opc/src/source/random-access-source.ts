/**
 * A package is read through this interface only, so a file, a Buffer or (later) an HTTP server with
 * range requests all plug into the same reader. Modelled on yauzl's RandomAccessReader and zip.js's
 * Reader, but promise-based and with cancellation.
 */
export interface RandomAccessSource {
  /** Total size in bytes. */
  readonly size: number;
  /** A human-readable origin (path or URL) for messages. */
  readonly name: string;
  /**
   * Exactly `length` bytes at `offset`. Rejects with ZIP_TRUNCATED when the range passes the end, and
   * with IO_READ_FAILED on I/O failure. With `into` (at least `length` bytes), a source may read into it
   * and return a view of it rather than allocate: the job buffers of the workers are reused this way. A
   * source need not (a Buffer source returns a view of its own memory instead).
   */
  read(offset: number, length: number, signal?: AbortSignal, into?: Uint8Array): Promise<Buffer>;
  /** Releases the underlying handle. Idempotent. */
  close(): Promise<void>;
}

/** Whether a caller's value can be read as a source (what JavaScript callers pass is not type-checked). */
export function isRandomAccessSource(value: unknown): value is RandomAccessSource {
  const candidate = value as Partial<RandomAccessSource> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    // Whether it has a size, not its value: reading a getter here let its failure escape untyped
    // (CheckedSource reads and checks it).
    'size' in candidate &&
    typeof candidate.read === 'function' &&
    typeof candidate.close === 'function'
  );
}
