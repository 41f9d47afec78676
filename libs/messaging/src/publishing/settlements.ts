import type { InFlightRow } from '../outbox/outbox-claims';
import type { FailedPublish } from './failed-publishes';
import type { PublishFailure } from './publish-failure';

/** One write-back's worth of publish outcomes. */
export interface SettlementBatch {
  acked: InFlightRow[];
  failed: FailedPublish[];
}

/**
 * Rows whose publish outcome is in, awaiting their write-back. Acked rows, nearly all of them, are kept
 * as they are: an outcome object per message would live until the mark-sent commit, long enough to be
 * promoted and left to the old generation (docs/performance.md, relay RSS). Failures keep their failure.
 */
export class Settlements {
  private acked: InFlightRow[] = [];
  private failed: FailedPublish[] = [];

  get size(): number {
    return this.acked.length + this.failed.length;
  }

  add(row: InFlightRow, failure: PublishFailure | undefined): void {
    if (failure) this.failed.push({ row, failure });
    else this.acked.push(row);
  }

  /** Everything so far, for one write-back. */
  take(): SettlementBatch {
    const batch = { acked: this.acked, failed: this.failed };
    this.acked = [];
    this.failed = [];
    return batch;
  }

  /** A batch whose write-back failed goes back in front, to be written again. */
  putBack(batch: SettlementBatch): void {
    this.acked = batch.acked.concat(this.acked);
    this.failed = batch.failed.concat(this.failed);
  }
}
