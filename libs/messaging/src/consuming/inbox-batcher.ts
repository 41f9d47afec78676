import type { DataSource } from 'typeorm';
import type { ReliableDeliveryContext } from './delivery-context';
import { InboxBatchTransaction, type InboxEntry } from './inbox-batch-transaction';
import type { InboxBatchSettings } from './inbox-batch-settings';
import { sleep } from './sleep';

/** Transactions tried for one batch before its entries get the error (deadlock, lost connection…). */
export const INBOX_BATCH_TRIES = 3;
const RETRY_BACKOFF_MS = 50;

/**
 * Group commit for inbox mode (docs/adr/0207-inbox-group-commit.md): the inbox runs of one subscription
 * that are ready together (the prefetch window, gathered for `lingerMs` or until `maxSize`) share one
 * MySQL transaction, so they share one commit and its fsync. Each run's promise settles only after
 * that commit (or its final failure): nothing is acked before its effect is durable.
 */
export class InboxBatcher {
  private pending: InboxEntry[] = [];
  private timer?: NodeJS.Timeout;
  private running = 0;
  /** Runs inside the handler runner now (waiting here, in a batch, or between retries). */
  private active = 0;
  /** Runs in the batches being executed. */
  private executing = 0;
  private checkScheduled = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: InboxBatchSettings,
  ) {}

  /** The runner's delivery begins (`enter`) and ends (`leave`): what the batch may still wait for. */
  enter(): void {
    this.active++;
  }

  leave(): void {
    this.active--;
  }

  run(delivery: ReliableDeliveryContext, handler: () => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.push({ delivery, handler, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending.length === 0 || this.running >= this.settings.concurrency) return;
    if (this.pending.length >= this.settings.maxSize) return this.startBatch();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.startBatch();
    }, this.settings.lingerMs);
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    // The deliveries of one socket read reach the batcher in the same loop turn (their Redis claims are
    // one call): once it is over, a batch already holding every run in progress has nobody to wait for,
    // e.g. an ordered subscription with as many deliveries in flight as it has partitions.
    setImmediate(() => {
      this.checkScheduled = false;
      if (this.pending.length > 0 && this.pending.length >= this.active - this.executing) this.startBatch();
    });
  }

  private startBatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || this.running >= this.settings.concurrency) return;
    const { batch, later } = splitDuplicates(this.pending.slice(0, this.settings.maxSize));
    this.pending = this.pending.slice(this.settings.maxSize);
    this.running++;
    this.executing += batch.length;
    void this.execute(batch).finally(() => {
      this.running--;
      this.executing -= batch.length;
      // A second delivery of a message in this batch waits for its outcome: the inbox row now decides.
      this.pending.unshift(...later);
      // Runs that arrived while this batch was busy waited long enough: no second linger for them.
      if (this.pending.length > 0) this.startBatch();
    });
  }

  private async execute(batch: InboxEntry[]): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        const outcomes = await new InboxBatchTransaction(this.dataSource, batch).run();
        outcomes.forEach((outcome, index) =>
          outcome.ok ? batch[index].resolve(outcome.value) : batch[index].reject(outcome.error),
        );
        return;
      } catch (error) {
        // Only a lost transaction throws (deadlock, lock wait, lost connection, failed commit; a handler's
        // own failure is an outcome): its effects were rolled back, so every handler runs again. A commit
        // whose reply alone was lost finds its inbox rows on the next try: exactly once either way.
        if (tries < INBOX_BATCH_TRIES) {
          await sleep(RETRY_BACKOFF_MS * tries);
          continue;
        }
        for (const entry of batch) entry.reject(error);
        return;
      }
    }
  }
}

/** The first delivery of each message id goes in; later ones wait for the next batch. */
function splitDuplicates(entries: InboxEntry[]): { batch: InboxEntry[]; later: InboxEntry[] } {
  const seen = new Set<string>();
  const batch: InboxEntry[] = [];
  const later: InboxEntry[] = [];
  for (const entry of entries) {
    const id = entry.delivery.messageId;
    (seen.has(id) ? later : batch).push(entry);
    seen.add(id);
  }
  return { batch, later };
}
