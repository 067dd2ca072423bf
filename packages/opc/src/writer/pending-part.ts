import type { DosDateTime } from './dos-time.js';
import type { RawPartContent } from './part-content.js';

/** One compressed (or stored) run of a part's blocks, ready to be written. */
export interface Piece {
  readonly stored: boolean;
  /** The bytes to write: deflated blocks with their flushes, or the stored bytes. */
  readonly bytes: Uint8Array;
  /** Uncompressed length. */
  readonly length: number;
  readonly sizes: readonly number[];
  readonly hashes: Uint8Array;
  readonly crc: number;
  /** The uncompressed bytes (what is written instead when a speculatively deflated piece must be stored). */
  readonly input: Uint8Array;
  /** Called once the piece is written: its job's buffers go back to the pool when all its pieces are. */
  readonly release: () => void;
}

/**
 * A part between `addPart` and the moment its bytes are out: its pieces, in order, as promises (they are
 * compressed on any worker, in any order; they are written in this order). The producer appends pieces and
 * then closes the part; the writing loop waits on `next`.
 */
export class PendingPart {
  /** Handed out once each and then forgotten: a 2.4 GB part has thousands, and a written one is garbage. */
  private readonly pieces: (Promise<Piece> | undefined)[] = [];
  private closed = false;
  private wake: (() => void) | null = null;

  constructor(
    readonly name: string,
    readonly zipName: string,
    readonly inBlockMap: boolean,
    readonly dosTime: DosDateTime,
    /** For a raw copy: where its bytes come from and what it already is. */
    readonly raw?: RawPartContent,
  ) {}

  push(piece: Promise<Piece>): void {
    piece.catch(() => {}); // observed by the writing loop; never an unhandled rejection meanwhile
    this.pieces.push(piece);
    this.notify();
  }

  close(): void {
    this.closed = true;
    this.notify();
  }

  /** Piece `index` (each is taken once, in order), or null once the part is closed with fewer pieces. */
  async next(index: number): Promise<Piece | null> {
    while (index >= this.pieces.length) {
      if (this.closed) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const piece = this.pieces[index] as Promise<Piece>;
    this.pieces[index] = undefined;
    return piece;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
