import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AlertBus } from '../alerting/alert-bus';
import { MessagingMetrics } from '../observability/messaging-metrics';
import { failureCauseOf } from './dead-letter-cause';
import { DeadLetter, DeadLetterOrigin } from './dead-letter.entity';
import { DeadLetterGroups } from './dead-letter-groups';
import { failureFingerprint } from './failure-fingerprint';

/** What the publishing or consuming side knows about a message it gives up on. */
export interface ParkRequest {
  origin: DeadLetterOrigin;
  messageId: string;
  /** Reason code; also the alert class and the metrics label. */
  reason: string;
  error?: string;
  /** Class of the error (`TypeError`); part of the failure group. @default read from the error text */
  errorClass?: string;
  exchange?: string | null;
  queue?: string | null;
  routingKey?: string | null;
  consumer?: string | null;
  partitionKey?: string | null;
  /** Body as text (as received; may be malformed). */
  payload: string;
  headers?: Record<string, unknown> | null;
  attempts: number;
  firstFailedAt?: Date;
}

/**
 * Records dead letters (the "log database") and raises the alert event for each. Both sides park
 * through here, so every parked message is in one table and reaches the alerter the same way.
 */
@Injectable()
export class DeadLetterService {
  private readonly logger = new Logger(DeadLetterService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly alerts: AlertBus,
    private readonly metrics: MessagingMetrics,
    private readonly groups: DeadLetterGroups,
  ) {}

  /**
   * Stores the dead letter and raises its alert. A consumed message its consumer parked before is not
   * stored again: that is a redelivery after the row committed but before the ack reached the broker
   * (a crash, a lost channel), and the earlier row is returned without a second alert.
   */
  async park(request: ParkRequest): Promise<DeadLetter> {
    const earlier = await this.parkedBefore(request);
    if (earlier) {
      this.logger.warn({
        msg: 'message parked before, not again',
        messageId: earlier.messageId,
        id: earlier.id,
      });
      return earlier;
    }
    // One transaction: the dead letter and its group's count commit together.
    const saved = await this.dataSource.transaction((manager) => this.insert(manager, request));
    this.raiseAlert(saved);
    return saved;
  }

  /**
   * Stores the dead letter inside the caller's transaction and raises no alert: the caller calls
   * `raiseAlert` once that transaction committed, so no email names a row that was rolled back.
   */
  async insert(manager: EntityManager, request: ParkRequest): Promise<DeadLetter> {
    const now = new Date();
    const error = request.error?.slice(0, 10_000) ?? null;
    const cause = failureCauseOf({
      origin: request.origin,
      exchange: request.exchange ?? null,
      consumer: request.consumer ?? null,
      queue: request.queue ?? null,
      reason: request.reason,
      error,
      errorClass: request.errorClass ?? null,
    });
    const { fingerprint, normalizedError } = failureFingerprint(cause);
    const row = manager.create(DeadLetter, {
      messageId: request.messageId,
      origin: request.origin,
      exchange: request.exchange ?? null,
      queue: request.queue ?? null,
      routingKey: request.routingKey ?? null,
      consumer: request.consumer ?? null,
      partitionKey: request.partitionKey ?? null,
      payload: request.payload,
      headers: request.headers ? JSON.stringify(request.headers) : null,
      reason: request.reason,
      error,
      attempts: request.attempts,
      firstFailedAt: request.firstFailedAt ?? now,
      lastFailedAt: now,
      status: 'open',
      createdAt: now,
      fingerprint,
    });
    const saved = await manager.save(DeadLetter, row);
    const member = { id: saved.id, fingerprint, at: now, queue: saved.queue ?? saved.exchange, error };
    await this.groups.parked(manager, member, cause, normalizedError);
    this.logger.warn({
      msg: 'message parked',
      messageId: saved.messageId,
      reason: saved.reason,
      origin: saved.origin,
      exchange: saved.exchange,
      queue: saved.queue,
    });
    return saved;
  }

  private async parkedBefore(request: ParkRequest): Promise<DeadLetter | null> {
    // A stand-in id (`missing:<delivery tag>`) names no message: nothing to recognise.
    if (request.origin !== 'consume' || !request.consumer || request.messageId.startsWith('missing:'))
      return null;
    return this.dataSource.getRepository(DeadLetter).findOne({
      where: { messageId: request.messageId, origin: 'consume', consumer: request.consumer },
      order: { id: 'ASC' },
    });
  }

  /** For callers that insert dead letters inside their own transaction: alert once it committed. */
  raiseAlert(row: DeadLetter): void {
    this.metrics.deadLetters.inc({ origin: row.origin, reason: row.reason });
    this.alerts.raise({
      kind: 'message-parked',
      origin: row.origin,
      reason: row.reason,
      source: row.origin === 'publish' ? (row.exchange ?? '') : (row.queue ?? row.consumer ?? ''),
      messageId: row.messageId,
      deadLetterId: row.id,
      detail: row.error ?? undefined,
      occurredAt: row.lastFailedAt,
    });
  }
}
