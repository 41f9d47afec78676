import { Injectable } from '@nestjs/common';
import { OutboxClaims } from '../outbox/outbox-claims';
import { MessagingMetrics } from './messaging-metrics';

export interface OutboxBacklogSnapshot {
  pending: number;
  /** Age of the oldest unpublished row; 0 when none is pending. */
  oldestAgeMs: number;
}

/**
 * Measures the unpublished part of the outbox for `/metrics` and `/health/ready`; updates the gauges
 * on every measure, so a scrape always shows the current value.
 */
@Injectable()
export class OutboxBacklog {
  constructor(
    private readonly claims: OutboxClaims,
    private readonly metrics: MessagingMetrics,
  ) {}

  async measure(): Promise<OutboxBacklogSnapshot> {
    const snapshot = await this.claims.pendingStats();
    this.metrics.outboxPending.set(snapshot.pending);
    this.metrics.outboxOldestPendingSeconds.set(snapshot.oldestAgeMs / 1000);
    return snapshot;
  }
}
