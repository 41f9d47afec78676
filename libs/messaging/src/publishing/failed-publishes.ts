import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DeadLetterService } from '../dead-letters/dead-letter.service';
import { InjectOptions } from '../messaging.constants';
import { MessagingMetrics } from '../observability/messaging-metrics';
import { BackOff, InFlightRow, OutboxClaims } from '../outbox/outbox-claims';
import type { RelayOptions } from '../outbox/outbox.options';
import { publishBackoffMs } from './publish-backoff';
import type { PublishFailure } from './publish-failure';

/** A claimed row whose publish failed, and why. */
export interface FailedPublish {
  row: InFlightRow;
  failure: PublishFailure;
}

/** What the relay does next after failures were written back. */
export interface FailuresWritten {
  /** Rows given back without an attempt counted: claimable again at once. */
  released: number;
  /** The earliest backoff delay of the rows backed off (Infinity if none). */
  nextRetryMs: number;
}

/**
 * Writes back the relay's failed publishes: released without counting an attempt (broker outage),
 * backed off, or, out of attempts, moved to `dead_letter` (G2).
 */
@Injectable()
export class FailedPublishes {
  constructor(
    @InjectOptions('relay') private readonly options: RelayOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly claims: OutboxClaims,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: MessagingMetrics,
  ) {}

  async write(owner: string, failed: FailedPublish[]): Promise<FailuresWritten> {
    for (const { failure } of failed) this.metrics.relayFailed.inc({ reason: failure.reason });
    const released = failed.filter((s) => !s.failure.countsAsAttempt).map((s) => s.row.id);
    await this.claims.release(owner, released);

    const counted = failed.filter((s) => s.failure.countsAsAttempt);
    const exhausted = counted.filter((s) => s.row.attempts + 1 >= this.options.maxAttempts);
    const backOffs: BackOff[] = counted
      .filter((s) => s.row.attempts + 1 < this.options.maxAttempts)
      .map(({ row, failure }) => ({
        id: row.id,
        attempts: row.attempts + 1,
        delayMs: publishBackoffMs(row.attempts + 1, {
          baseMs: this.options.backoffBaseMs,
          maxMs: this.options.backoffMaxMs,
        }),
        error: `${failure.reason}: ${failure.message}`,
      }));
    await this.claims.backOff(backOffs);
    for (const settlement of exhausted) await this.park(settlement);
    return { released: released.length, nextRetryMs: Math.min(...backOffs.map((b) => b.delayMs)) };
  }

  /**
   * Out of attempts: move the row to dead_letter in one transaction; its key's successors continue. A row
   * already gone (removed by hand while in flight) has nothing left to park.
   */
  private async park({ row, failure }: FailedPublish): Promise<void> {
    const parked = await this.dataSource.transaction(async (manager) => {
      const content = await this.claims.parkedContent(manager, row.id);
      if (!content) return null;
      const deadLetter = await this.deadLetters.insert(manager, {
        origin: 'publish',
        messageId: row.messageId,
        reason: failure.reason,
        error: failure.message,
        exchange: row.exchange,
        routingKey: row.routingKey,
        partitionKey: row.partitionKey,
        payload: content.payload,
        headers: content.headers ? (JSON.parse(content.headers) as Record<string, unknown>) : null,
        attempts: row.attempts + 1,
        firstFailedAt: content.createdAt,
      });
      await this.claims.remove(manager, row.id);
      return deadLetter;
    });
    // After the commit: no alert names a dead letter whose transaction rolled back.
    if (parked) this.deadLetters.raiseAlert(parked);
  }
}
