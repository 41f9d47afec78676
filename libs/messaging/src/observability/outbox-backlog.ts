import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MessagingMetrics } from './messaging-metrics';

export interface OutboxBacklogSnapshot {
  pending: number;
  /** Age of the oldest unpublished row; 0 when none is pending. */
  oldestAgeMs: number;
}

interface BacklogRow {
  pending: string | number;
  oldest_age_us: string | number | null;
}

/**
 * Measures the unpublished part of the outbox for `/metrics` and `/health/ready`; updates the gauges
 * on every measure, so a scrape always shows the current value.
 */
@Injectable()
export class OutboxBacklog {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MessagingMetrics,
  ) {}

  async measure(): Promise<OutboxBacklogSnapshot> {
    // Age computed by the database against UTC: created_at holds UTC and app and DB clocks may differ.
    const [row] = await this.dataSource.query<BacklogRow[]>(/* sql */ `
      SELECT COUNT(*) AS pending,
             TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(3)) AS oldest_age_us
        FROM outbox_message
       WHERE sent_at IS NULL`);
    const snapshot = {
      pending: Number(row?.pending ?? 0),
      oldestAgeMs: Math.max(0, Number(row?.oldest_age_us ?? 0) / 1000),
    };
    this.metrics.outboxPending.set(snapshot.pending);
    this.metrics.outboxOldestPendingSeconds.set(snapshot.oldestAgeMs / 1000);
    return snapshot;
  }
}
