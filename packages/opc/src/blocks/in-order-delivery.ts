import { MAX_DIGESTS_WAITING } from '../limits.js';
import type { DigestOptions } from './digest-package.js';
import type { ItemDigest } from './item-digest.js';

/**
 * Hands digests to onItem in request order as soon as every earlier one is in, so a caller that does not
 * collect them holds only those that completed out of order, and `room` keeps those few: a large item
 * fed to one worker for seconds would otherwise let the others complete the rest of the package behind it.
 */
export class InOrderDelivery {
  readonly digests: ItemDigest[] = [];
  private readonly waiting = new Map<number, ItemDigest>();
  private next = 0;
  private expected = Number.POSITIVE_INFINITY;
  private onComplete: () => void = () => {};
  private onRoom: (() => void) | null = null;
  private halted = false;

  constructor(
    private readonly options: DigestOptions,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /**
   * Resolves once `count` digests are delivered: one promise for the whole run rather than one held per
   * item until the end (20,000 promises and closures are what grew the heap while digesting).
   */
  complete(count: number): Promise<void> {
    this.expected = count;
    return new Promise((resolve) => {
      this.onComplete = resolve;
      this.checkComplete();
    });
  }

  /** MAX_DIGESTS_WAITING digests wait for an earlier one: the planner waits (room) before planning more. */
  get full(): boolean {
    return this.waiting.size >= MAX_DIGESTS_WAITING;
  }

  /** Resolves once the delivery is no longer full, or halt is called (or was: nothing would wake it then). */
  room(): Promise<void> {
    if (!this.full || this.halted) return Promise.resolve();
    return new Promise((resolve) => {
      this.onRoom = resolve;
    });
  }

  /**
   * The digest failed: nothing more is delivered (an onItem that threw is not called again) and a wait for
   * room ends, so the planner sees the failure rather than wait on.
   */
  halt(): void {
    this.halted = true;
    this.wakePlanner();
  }

  private wakePlanner(): void {
    const wake = this.onRoom;
    this.onRoom = null;
    wake?.();
  }

  settle(index: number, digest: ItemDigest): void {
    if (this.halted) return;
    this.waiting.set(index, digest);
    try {
      for (let ready = this.waiting.get(this.next); ready; ready = this.waiting.get(this.next)) {
        this.waiting.delete(this.next);
        this.next++;
        this.options.onItem?.(ready);
        if (this.options.collect !== false) this.digests.push(ready);
      }
      this.checkComplete();
    } catch (error) {
      this.onFailure(error); // a throwing onItem (USAGE, callerCallback) ends the digest
    }
    if (!this.full) this.wakePlanner();
  }

  private checkComplete(): void {
    if (this.next >= this.expected) this.onComplete();
  }
}
