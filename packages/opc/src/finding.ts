import type { AppvError, ErrorCode, ErrorLocation } from './errors.js';
import { checkModelArgument } from './option-keys.js';

/**
 * A verifier's observation. `error`: the package breaks a rule a Windows client enforces (or that
 * makes it unreadable); `warning`: legal but outside the profile Windows writers produce (FORMAT.md §8),
 * so some tools may refuse it.
 */
export type Severity = 'error' | 'warning';

export interface Finding extends ErrorLocation {
  readonly code: ErrorCode;
  readonly severity: Severity;
  readonly message: string;
}

/** Collects findings as a reader or checker discovers them, without stopping at the first. */
export interface FindingSink {
  add(finding: Finding): void;
}

export function findingFromError(error: AppvError, severity: Severity = 'error'): Finding {
  checkModelArgument(error, 'an AppvError', 'findingFromError');
  return {
    code: error.code,
    severity,
    message: error.message,
    ...(error.part === undefined ? {} : { part: error.part }),
    ...(error.offset === undefined ? {} : { offset: error.offset }),
    ...(error.block === undefined ? {} : { block: error.block }),
  };
}

/** A sink that keeps what it is given, up to a cap so a hostile package cannot exhaust memory. */
export class FindingList implements FindingSink {
  readonly findings: Finding[] = [];
  dropped = 0;
  private readonly once = new Set<string>();

  constructor(private readonly cap: number) {}

  add(finding: Finding): void {
    if (ONCE_PER_PART.has(finding.code)) {
      const key = `${finding.code}\u0000${finding.part ?? ''}`;
      if (this.once.has(key)) return;
      this.once.add(key);
    }
    if (this.findings.length < this.cap) this.findings.push(finding);
    else this.dropped++;
  }
}

/**
 * Facts about a whole item that more than one reader finds: a footprint part's CRC-32 or size is seen wrong
 * both when the document is read and when every item is digested. Reported once (found by review).
 */
const ONCE_PER_PART: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['CRC_MISMATCH', 'ZIP_SIZE_MISMATCH']);
