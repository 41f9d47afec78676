import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type Redis from 'ioredis';
import { from, Observable } from 'rxjs';
import { InjectMessagingRedis, InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { MessagingMetrics } from '../observability/messaging-metrics';
import type { ConsumingOptions } from './consuming.options';
import { DuplicateInFlightError, RedisUnavailableError } from './consume-errors';
import { DedupeMarks } from './dedupe-marks';
import { DUPLICATE_DELIVERY, pipelineStateOf, ReliableDeliveryContext } from './delivery-context';

/**
 * Exactly-once effect on top of at-least-once delivery (G4): a message already handled by this consumer
 * is acknowledged without running the handler. The reliable pipeline calls `apply` for every
 * `@ReliableSubscribe` delivery, outside Nest's interceptor chain (see ADR 0204); as a Nest interceptor
 * it passes HTTP calls, plain golevelup handlers and already deduplicated deliveries through.
 */
@Injectable()
export class DedupeInterceptor implements NestInterceptor {
  private readonly logger = new Logger(DedupeInterceptor.name);
  private readonly marks: DedupeMarks;
  private readonly pendingMarks = new Set<Promise<void>>();

  constructor(
    @InjectMessagingRedis() redis: Redis,
    @InjectOptions('service') service: ServiceIdentity,
    @InjectOptions('consuming') consuming: ConsumingOptions,
    private readonly metrics: MessagingMetrics,
  ) {
    this.marks = new DedupeMarks(
      redis,
      service.redisKeyPrefix,
      consuming.dedupeProcessingTtlMs,
      consuming.dedupeDoneTtlMs,
    );
  }

  intercept(host: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = host.getType<string>();
    const arg: unknown = type === 'rmq' || type === 'rpc' ? host.getArgByIndex(1) : undefined;
    // The Nest transport's `@Ctx()` object carries the delivery it wraps.
    const delivery: unknown =
      arg instanceof ReliableDeliveryContext ? arg : (arg as { delivery?: unknown } | undefined)?.delivery;
    if (!(delivery instanceof ReliableDeliveryContext)) return next.handle();
    if (pipelineStateOf(delivery).dedupeApplied) return next.handle();
    return from(this.apply(delivery, () => lastValue(next.handle())));
  }

  /**
   * The dedupe step of the reliable pipeline: runs `handle` unless this consumer already handled the
   * message (then DUPLICATE_DELIVERY) or another delivery of it is running (DuplicateInFlightError).
   */
  async apply(delivery: ReliableDeliveryContext, handle: () => Promise<unknown>): Promise<unknown> {
    const state = pipelineStateOf(delivery);
    state.dedupeApplied = true;
    state.claimedAttempt = undefined;
    try {
      const claim = await this.claim(delivery);
      if (claim === 'done') {
        this.metrics.dedupeHits.inc({ queue: delivery.queue });
        return DUPLICATE_DELIVERY;
      }
      if (claim === 'in-flight') throw new DuplicateInFlightError(delivery.messageId);
      let result: unknown;
      try {
        result = await handle();
      } catch (error) {
        if (claim === 'claimed') await this.release(delivery);
        throw error;
      }
      // Not awaited: the ack leaves with the done mark instead of one Redis round trip later. Acking
      // first loses nothing: the effect is committed, and a copy arriving meanwhile finds `processing`
      // and is held until the mark says `done` (ADR 0204).
      if (claim === 'claimed') this.track(this.markDone(delivery));
      return result;
    } finally {
      // A held delivery is invoked again and must be deduplicated again.
      state.dedupeApplied = false;
    }
  }

  /** Resolves when the done marks written so far reached Redis (or failed); awaited at shutdown. */
  async marksWritten(): Promise<void> {
    await Promise.all([...this.pendingMarks]);
  }

  private track(mark: Promise<void>): void {
    this.pendingMarks.add(mark);
    void mark.finally(() => this.pendingMarks.delete(mark));
  }

  private async claim(
    delivery: ReliableDeliveryContext,
  ): Promise<'claimed' | 'done' | 'in-flight' | 'skipped'> {
    try {
      const { result, attempt } = await this.marks.claim(
        delivery.consumer,
        delivery.messageId,
        delivery.redelivered,
      );
      if (result === 'claimed') pipelineStateOf(delivery).claimedAttempt = attempt;
      return result;
    } catch (error) {
      const { redisMode } = pipelineStateOf(delivery);
      if (!(error instanceof RedisUnavailableError) || redisMode === 'required') throw error;
      // Opted out of fail-closed: handle without dedupe (inbox or an idempotent handler protects the effect).
      this.logger.warn({ msg: 'redis down, handling without dedupe', messageId: delivery.messageId });
      return 'skipped';
    }
  }

  private async markDone(delivery: ReliableDeliveryContext): Promise<void> {
    // The effect is committed, so the delivery is still acked; a later duplicate finds only the
    // expiring `processing` mark (and the inbox row, in inbox mode).
    await this.warnOnFailure('could not mark message done', delivery.messageId, () =>
      this.marks.markDone(delivery.consumer, delivery.messageId),
    );
  }

  private async release(delivery: ReliableDeliveryContext): Promise<void> {
    // The `processing` mark then expires by its TTL before the retry can claim it.
    await this.warnOnFailure('could not release dedupe mark', delivery.messageId, () =>
      this.marks.release(delivery.consumer, delivery.messageId),
    );
  }

  private async warnOnFailure(msg: string, messageId: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.logger.warn({ msg, messageId, error: String(error) });
    }
  }
}

function lastValue(source: Observable<unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let value: unknown;
    source.subscribe({ next: (v) => (value = v), error: reject, complete: () => resolve(value) });
  });
}
