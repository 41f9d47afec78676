import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { MessagingMetrics } from '../observability/messaging-metrics';
import type { CommittedRowTaker, HandedRow, HandoffLease } from '../outbox/committed-rows-handoff';
import { CommittedRowsHandoff } from '../outbox/committed-rows-handoff';
import { ClaimedRow, InFlightRow, OutboxClaims } from '../outbox/outbox-claims';
import type { RelayOptions, RetentionOptions } from '../outbox/outbox.options';
import { OutboxWake } from '../outbox/outbox-wake';
import { ClaimCursor } from './claim-cursor';
import { ConfirmedPublisher } from './confirmed-publisher';
import { FailedPublishes } from './failed-publishes';
import { outgoingMessageOf } from './outgoing-message';
import { defaultRelayOwnerId } from './relay-owner-id';
import { InFlightRows } from './in-flight-rows';
import type { PublishDone } from './pending-confirm';
import type { PublishFailure } from './publish-failure';
import { SettlementBatch, Settlements } from './settlements';

/** Longest pass of claims continuing after the previous one before a claim starts over (ClaimCursor). */
const MAX_PASS_MS = 5000;

/** Leases of handed rows count as committed with the rows themselves. */
const LEASED: Promise<void> = Promise.resolve();

/**
 * Moves committed outbox rows to RabbitMQ: claim (lease) → publish outside the transaction with many
 * confirms in flight → settle in batches (sent, back off, dead-letter, release). Woken after each commit
 * that added rows; the resend job's poll is the fallback (docs/design.md §5). Unkeyed rows written in
 * this process arrive leased already and are published from memory after their commit (ADR 0210).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy, CommittedRowTaker {
  private readonly logger = new Logger(OutboxRelay.name);
  readonly owner: string;
  private running = false;
  private draining: Promise<void> | null = null;
  /** Set by a wake-up: claim again even if the last claim came back short. */
  private wanted = false;
  private readonly inFlight = new InFlightRows();
  private readonly settled = new Settlements();
  /** The settlement batch being written; one at a time, beside the next claim and publishes. */
  private settling: Promise<void> | null = null;
  private settleError: Error | null = null;
  private signalled = false;
  private resumeLoop: (() => void) | null = null;
  private subscriptions: Subscription[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDue = 0;
  private readonly cursor = new ClaimCursor(MAX_PASS_MS);

  constructor(
    @InjectOptions('relay') private readonly options: RelayOptions,
    @InjectOptions('retention') private readonly retention: RetentionOptions,
    @InjectOptions('service') service: ServiceIdentity,
    private readonly claims: OutboxClaims,
    private readonly publisher: ConfirmedPublisher,
    private readonly failures: FailedPublishes,
    private readonly metrics: MessagingMetrics,
    private readonly wake: OutboxWake,
    private readonly handoff: CommittedRowsHandoff,
  ) {
    this.owner = options.ownerId || defaultRelayOwnerId(service.serviceName);
  }

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.running = true;
    this.subscriptions = [
      this.wake.subscribe(() => this.wakeUp()),
      this.publisher.onReady(() => this.wakeUp()),
    ];
    if (this.options.publishAtCommit) this.handoff.attach(this);
    this.wakeUp();
  }

  /** Graceful shutdown: stop claiming, wait for the confirms in flight, settle them, release the rest. */
  async onModuleDestroy(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.handoff.detach(this);
    this.subscriptions.forEach((s) => s.unsubscribe());
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.signal();
    await this.draining?.catch(() => undefined);
    await this.waitForInFlight();
    await this.settling;
    await this.flushSettlements().catch((error: Error) =>
      this.logger.warn({ msg: 'could not settle at shutdown; leases expire', error: error.message }),
    );
    await this.claims
      .release(this.owner, this.inFlight.ids())
      .catch((error: Error) => this.logger.warn({ msg: 'could not release leases', error: error.message }));
  }

  get active(): boolean {
    return this.running;
  }

  /** Drain now (post-commit wake-up, a channel reopened, a partition acquired). Never throws. */
  wakeUp(): void {
    void this.poll().catch((error: Error) =>
      this.logger.warn({ msg: 'relay drain failed; the next poll retries', error: error.message }),
    );
  }

  /** Drain now and resolve when this drain ended; the resend job awaits it so its errors raise an alert. */
  poll(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.wanted = true;
    return this.runDrain();
  }

  /** Only while rows could go out at once: otherwise a row written now is better left to a claim. */
  leaseForNewRows(): HandoffLease | null {
    return this.canPublishNow() ? { owner: this.owner, leaseMs: this.options.leaseMs } : null;
  }

  private canPublishNow(): boolean {
    return this.running && this.publisher.ready && this.inFlight.size < this.options.publishWindow;
  }

  /**
   * Publishes committed rows leased to this relay when they were written, without claiming them. Rows it
   * cannot publish now (stopping, channel down, window full, or a transaction that ran for over half the
   * lease, so the lease might end while in flight) are released to the claims.
   */
  take(rows: HandedRow[]): void {
    const oldest = performance.now() - this.options.leaseMs / 2;
    const fresh = rows.filter((handed) => handed.leasedAt >= oldest).map((handed) => handed.row);
    const published = this.canPublishNow() ? fresh : [];
    if (published.length > 0) {
      this.publishClaim(published, LEASED);
      // The drain loop settles what the confirms answer; no claim unless something else wants one.
      void this.runDrain().catch((error: Error) =>
        this.logger.warn({ msg: 'relay drain failed; the next poll retries', error: error.message }),
      );
    }
    if (published.length === rows.length) return;
    const kept = new Set(published);
    const released = rows.filter((handed) => !kept.has(handed.row)).map((handed) => handed.row.id);
    void this.claims
      .release(this.owner, released)
      .then(() => this.wakeUp())
      .catch((error: Error) =>
        this.logger.warn({ msg: 'could not release handed rows; their leases expire', error: error.message }),
      );
  }

  private runDrain(): Promise<void> {
    this.signal();
    if (!this.draining) {
      this.draining = this.drain().finally(() => (this.draining = null));
    }
    return this.draining;
  }

  private async drain(): Promise<void> {
    const { batchSize, publishWindow, leaseMs } = this.options;
    let lastClaimFull = false;
    for (;;) {
      this.settleInBackground();
      this.throwSettleError();
      if (!this.running) return;
      const room = publishWindow - this.inFlight.size;
      // Refill in chunks, not one claim per confirm: each claim is a transaction of its own.
      const worthClaiming = room >= Math.min(batchSize, publishWindow / 4) || this.inFlight.size === 0;
      // Acked rows awaiting their mark stay leased; bound them like the window so memory stays bounded.
      const marksKeepingUp = this.settled.size < publishWindow;
      if (this.publisher.ready && worthClaiming && marksKeepingUp && (this.wanted || lastClaimFull)) {
        this.wanted = false;
        const limit = Math.min(batchSize, room);
        const claimed = await this.claimAndPublish(limit, leaseMs);
        lastClaimFull = claimed.count === limit;
        this.cursor.claimed(claimed.lastId, lastClaimFull);
        // Drain while batches come back full; otherwise wait for confirms or a wake-up.
        if (lastClaimFull && this.inFlight.size < publishWindow) continue;
      }
      if (this.settled.size > 0 && !this.settling) continue;
      const idle = this.inFlight.size === 0 && this.settled.size === 0 && !this.settling;
      if (idle && !(this.wanted && this.publisher.ready)) return;
      await this.nextSignal();
    }
  }

  /**
   * One claim, published at once; the lease commit runs beside the publishes (the claim's row locks hold
   * the rows meanwhile) and is waited for only before a row is settled. A method of its own so that the
   * claimed rows are not kept alive by the drain loop while it waits.
   */
  private async claimAndPublish(limit: number, leaseMs: number): Promise<{ count: number; lastId?: string }> {
    const { rows, leased } = await this.claims.claim(this.owner, limit, leaseMs, this.cursor.next());
    this.publishClaim(rows, leased);
    return { count: rows.length, lastId: rows.at(-1)?.id };
  }

  /** A confirm that arrives before its claim's lease commit waits for it: a mark never waits on a lock. */
  private publishClaim(rows: ClaimedRow[], leased: Promise<void>): void {
    const kept = rows.map(inFlightRowOf);
    const claim = this.inFlight.add(kept);
    let early: Array<{ index: number; failure?: PublishFailure }> | null = [];
    const toSettle = (index: number, failure: PublishFailure | undefined) => {
      this.inFlight.answered(claim, index);
      this.settled.add(kept[index], failure);
    };
    void leased
      .catch((error: Error) =>
        this.logger.warn({ msg: 'could not commit the leases of a claim', error: error.message }),
      )
      .then(() => {
        for (const { index, failure } of early!) toSettle(index, failure);
        early = null;
        this.signal();
      });
    // One callback for the claim, not a closure per message: the tag is the row's index in it.
    const published: PublishDone<number> = (failure, index) => {
      if (early) return void early.push({ index, failure });
      toSettle(index, failure);
      this.signal();
    };
    rows.forEach((row, index) => this.publisher.publish(outgoingMessageOf(row), index, published));
  }

  /**
   * Writes the acked batch while the loop claims and publishes the next one: the mark-sent commit no
   * longer stalls publishing. The rows stay leased until it committed, so no other relay takes them.
   */
  private settleInBackground(): void {
    if (this.settling || this.settled.size === 0 || this.settleError) return;
    this.settling = this.flushSettlements()
      .catch((error: Error) => {
        this.settleError = error;
      })
      .finally(() => {
        this.settling = null;
        this.signal();
      });
  }

  /** A failed settlement ends this drain with its error (the resend job alerts); its rows are kept. */
  private throwSettleError(): void {
    const error = this.settleError;
    if (!error) return;
    this.settleError = null;
    throw error;
  }

  private async flushSettlements(): Promise<void> {
    if (this.settled.size === 0) return;
    const batch = this.settled.take();
    try {
      await this.settle(batch);
    } catch (error) {
      // Keep them: a database hiccup must not turn acked rows into re-publishes once it is back.
      this.settled.putBack(batch);
      throw error;
    }
  }

  private async settle({ acked: sent, failed }: SettlementBatch): Promise<void> {
    await this.claims.markSent(
      sent.map((row) => row.id),
      this.retention.sentRowsMs === 0,
    );
    this.countPublished(sent);
    // A sent keyed row unblocks the next row of its key, behind the cursor: claim again from the start.
    if (sent.some((row) => row.partitionKey !== null)) this.claimAgainFromStart();
    if (failed.length === 0) return;
    const { released, nextRetryMs } = await this.failures.write(this.owner, failed);
    if (released > 0) this.claimAgainFromStart();
    this.wakeAfter(nextRetryMs);
  }

  private claimAgainFromStart(): void {
    this.cursor.restart();
    this.wanted = true;
  }

  /** One counter update per exchange and batch: label lookups per message add up at thousands per second. */
  private countPublished(sent: InFlightRow[]): void {
    const perExchange = new Map<string, number>();
    for (const row of sent) perExchange.set(row.exchange, (perExchange.get(row.exchange) ?? 0) + 1);
    for (const [exchange, n] of perExchange) this.metrics.relayPublished.inc({ exchange }, n);
  }

  /** Retries come due between polls; wake for the earliest instead of waiting for the next poll. */
  private wakeAfter(delayMs: number): void {
    if (!Number.isFinite(delayMs)) return;
    const due = Date.now() + delayMs;
    if (this.retryTimer && this.retryDue <= due) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryDue = due;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.cursor.restart();
      this.wakeUp();
    }, delayMs);
    this.retryTimer.unref();
  }

  private signal(): void {
    const resume = this.resumeLoop;
    this.resumeLoop = null;
    if (resume) resume();
    else this.signalled = true;
  }

  private nextSignal(): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.resumeLoop = resolve));
  }

  private async waitForInFlight(): Promise<void> {
    while (this.inFlight.size > 0) await this.nextSignal();
  }
}

/** The fields settling needs, copied: the claimed row, its payload and headers strings included, is left to die young. */
function inFlightRowOf(row: ClaimedRow): InFlightRow {
  return {
    id: row.id,
    messageId: row.messageId,
    exchange: row.exchange,
    routingKey: row.routingKey,
    partitionKey: row.partitionKey,
    attempts: row.attempts,
  };
}
