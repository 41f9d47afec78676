/**
 * Where the relay's next claim starts its index scan (ADR 0205). While a drain's claims come back full,
 * each one continues after the last id the previous one took, so it does not step again over the rows
 * this relay holds leased (up to a window and its pending marks) nor over the entries its own marks
 * left delete-marked in `ix_outbox_claim` until InnoDB's purge gets to them. A pass ends, and the next
 * claim starts from the first unsent row again, when a claim comes back short, when rows may have
 * become claimable behind the cursor (released, a retry due, a keyed row whose predecessor was sent),
 * and at the latest `maxPassMs` after it began: a row that became due behind the cursor waits no longer
 * than that, and unkeyed rows carry no order promise (keyed rows restart the pass at once).
 */
export class ClaimCursor {
  private after = '0';
  private passStartedAt = 0;
  /** Bumped by restart(): a claim that was already on its way must not move the cursor past it. */
  private epoch = 0;
  private claimEpoch = 0;

  constructor(
    private readonly maxPassMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The id the next claim scans after ('0': from the start). */
  next(): string {
    if (this.after !== '0' && this.now() - this.passStartedAt >= this.maxPassMs) this.after = '0';
    this.claimEpoch = this.epoch;
    return this.after;
  }

  /** The claim started by the last next() returned rows up to `lastId`; `full` if it reached its limit. */
  claimed(lastId: string | undefined, full: boolean): void {
    if (!full || lastId === undefined || this.claimEpoch !== this.epoch) {
      this.after = '0';
      return;
    }
    if (this.after === '0') this.passStartedAt = this.now();
    this.after = lastId;
  }

  /** Rows may have become claimable behind the cursor: the next claim starts from the beginning. */
  restart(): void {
    this.epoch++;
    this.after = '0';
  }
}
