import { Injectable, Logger } from '@nestjs/common';
import { ClaimedRow, OutboxClaims } from './outbox-claims';
import { OutboxWake } from './outbox-wake';

/** The lease a row is written with when the relay of this process will publish it after the commit. */
export interface HandoffLease {
  owner: string;
  leaseMs: number;
}

/** A committed row handed over with its lease's owner and the time (`performance.now()`) it was written. */
export interface HandedRow {
  row: ClaimedRow;
  owner: string;
  leasedAt: number;
}

/** The in-process relay's side of the handoff (`OutboxRelay`). */
export interface CommittedRowTaker {
  /** The lease to write new rows with, or null while the relay could not publish them at once. */
  leaseForNewRows(): HandoffLease | null;
  /** Publishes rows whose transaction committed; rows it cannot publish now it gives back to the claims. */
  take(rows: HandedRow[]): void;
}

/**
 * Between `OutboxService.add` and the relay of the same process: an unkeyed row is written already
 * leased to that relay and handed to it from memory once its transaction committed, so its message
 * goes out without a claim's round trips; if the process dies first, the lease expires and any relay
 * claims the row (ADR 0210). Without a relay in this process every row waits for a claim.
 */
@Injectable()
export class CommittedRowsHandoff {
  private readonly logger = new Logger(CommittedRowsHandoff.name);
  private taker: CommittedRowTaker | null = null;

  constructor(
    private readonly claims: OutboxClaims,
    private readonly wake: OutboxWake,
  ) {}

  attach(taker: CommittedRowTaker): void {
    this.taker = taker;
  }

  detach(taker: CommittedRowTaker): void {
    if (this.taker === taker) this.taker = null;
  }

  leaseForNewRows(): HandoffLease | null {
    return this.taker?.leaseForNewRows() ?? null;
  }

  /**
   * Hands committed rows to the relay. If it detached since they were written (the app is shutting
   * down), their leases are released so that a claim, here or in another process's next poll, takes
   * them; a release that fails leaves them to expire.
   */
  async handOver(rows: HandedRow[]): Promise<void> {
    if (this.taker) return this.taker.take(rows);
    const owners = new Set(rows.map((handed) => handed.owner));
    for (const owner of owners) {
      const ids = rows.filter((handed) => handed.owner === owner).map((handed) => handed.row.id);
      await this.claims
        .release(owner, ids)
        .then(() => this.wake.notify())
        .catch((error: Error) =>
          this.logger.warn({
            msg: 'could not release rows no relay took; their leases expire',
            error: error.message,
          }),
        );
    }
  }
}
