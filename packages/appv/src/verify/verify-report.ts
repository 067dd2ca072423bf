import type { Finding } from '@appv/opc';

export interface VerifyStats {
  readonly items: number;
  readonly blocks: number;
  /** Uncompressed bytes inflated and hashed. */
  readonly bytes: number;
  readonly compressedBytes: number;
  readonly seconds: number;
}

/** The verifier's answer: `valid` when no finding has severity `error`. */
export interface VerifyReport {
  readonly valid: boolean;
  readonly findings: readonly Finding[];
  /** Findings beyond the cap that were counted but not kept. */
  readonly droppedFindings: number;
  readonly stats: VerifyStats;
}

/**
 * The phase progress is reported for: the block checks, the work that takes long (opening and the App-V layer
 * report none; the type promised phases never sent, found by review).
 */
export type VerifyPhase = 'blocks';

export interface VerifyProgress {
  readonly phase: VerifyPhase;
  readonly done: number;
  readonly total: number;
}
