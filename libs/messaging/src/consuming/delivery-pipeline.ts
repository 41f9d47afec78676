import type { Logger } from '@nestjs/common';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { DeadLetterService } from '../dead-letters/dead-letter.service';
import { runInMessageContext } from '../observability/message-context';
import type { MessagingMetrics } from '../observability/messaging-metrics';
import { ORDERING_KEY_HEADER, TopologyNames } from '../topology/topology-names';
import { consumeDeadLetter, ParkCause } from './consume-dead-letter';
import {
  DatabaseUnavailableError,
  DuplicateInFlightError,
  HandlerFailedError,
  RedisUnavailableError,
  UnprocessableMessageError,
} from './consume-errors';
import { DUPLICATE_DELIVERY, ReliableDeliveryContext } from './delivery-context';
import { DeliveryScheduler } from './delivery-scheduler';
import { HOLD_BACKOFF_MAX_MS, HoldOutcome, holdUntilDone } from './hold';
import { decodeMessage, DecodedMessage } from './message-decoder';
import type { ReliableSubscriptionOptions } from './reliable-subscription.options';
import { routingKeyOf, sendRetryCopy } from './retry-copy';
import { ack, reject, requeue, Settle, Settlements } from './settlements';
import { sleep } from './sleep';

export interface DeliveryPipelineSetup {
  subscription: ReliableSubscriptionOptions;
  names: TopologyNames;
  maxMessageBytes: number;
  /** The handler behind its interceptors (dedupe) and the retry runner; the raw delivery is for the Nest transport. */
  invoke: (
    payload: unknown,
    delivery: ReliableDeliveryContext,
    message: ConsumeMessage,
    channel: ConfirmChannel,
  ) => Promise<unknown>;
  deadLetters: DeadLetterService;
  metrics: MessagingMetrics;
}

/** What the pipeline shares with the rest of its consumer. */
export interface DeliveryPipelineParts {
  settlements: Settlements;
  /** Whether a channel closed since it gave the delivery. */
  isClosed: (channel: ConfirmChannel) => boolean;
  logger: Logger;
}

type Result = 'handled' | 'duplicate' | 'retried' | 'parked';

/**
 * Runs each delivery of one subscription and settles it exactly once, only after the handler finished
 * (ack), after a retry copy was confirmed (ack), after the dead letter was stored (ack or reject), or
 * at shutdown (requeue). Ordered subscriptions handle the deliveries of one ordering key one at a time
 * and different keys side by side (ADR 0208).
 */
export class DeliveryPipeline {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly scheduler: DeliveryScheduler;
  private readonly logger: Logger;
  private closing = false;

  constructor(
    private readonly setup: DeliveryPipelineSetup,
    private readonly parts: DeliveryPipelineParts,
  ) {
    this.scheduler = new DeliveryScheduler(setup.subscription.ordered?.concurrency);
    this.logger = parts.logger;
  }

  /** Never throws: it runs inside an amqplib consume callback. */
  accept(channel: ConfirmChannel, queue: string, message: ConsumeMessage): void {
    this.parts.settlements.received(channel, message);
    // The delivery's trace and ids go on every log line written while it is handled.
    const work = () =>
      runInMessageContext(message, queue, () => this.handle(channel, queue, message)).catch(
        (error: unknown) =>
          this.logger.error({ msg: 'delivery pipeline failed', queue, error: String(error) }),
      );
    // A redelivered message may be the one that killed the previous consumer: it runs alone, so a crash
    // is charged to it only and not to the deliveries beside it (IsolationGate).
    const alone = message.fields.redelivered;
    const tracked: Promise<void> = this.scheduler
      .schedule({ queue, key: this.orderingKeyOf(message), alone }, work)
      .then(() => void this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Shutdown: deliveries not yet handled, and held ones, go back to the queue. */
  close(): void {
    this.closing = true;
  }

  /** Resolves when the deliveries in flight now have settled. */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Per-key order (ordered subscriptions): the key's previous delivery on this queue settles first.
   * A message without a key in an ordered stream promises no order, so it waits for nothing.
   */
  private orderingKeyOf(message: ConsumeMessage): string | undefined {
    if (!this.setup.subscription.ordered) return undefined;
    const key: unknown = message.properties.headers?.[ORDERING_KEY_HEADER];
    return typeof key === 'string' ? key : undefined;
  }

  private async handle(channel: ConfirmChannel, queue: string, message: ConsumeMessage): Promise<void> {
    // Its channel is gone, so the broker redelivers it on the next one; handling this copy too would race
    // the redelivered successors of its partition (per-key order).
    if (this.parts.isClosed(channel)) return;
    // Deliveries queued behind their key's predecessor when shutdown began go back untouched.
    if (this.closing) return this.settle(channel, requeue(message));
    let decoded: DecodedMessage;
    try {
      decoded = await decodeMessage(message, this.setup.maxMessageBytes, this.setup.subscription.schema);
    } catch (error) {
      if (!(error instanceof UnprocessableMessageError)) throw error;
      return this.park(channel, queue, message, error, 0, ack);
    }
    const delivery = this.contextOf(queue, message, decoded.messageId);
    const { payload } = decoded;
    let outcome: HoldOutcome<unknown>;
    try {
      outcome = await holdUntilDone(() => this.setup.invoke(payload, delivery, message, channel), {
        holds: (error) =>
          error instanceof RedisUnavailableError ||
          error instanceof DatabaseUnavailableError ||
          error instanceof DuplicateInFlightError,
        onHeld: (error) => {
          if (error instanceof RedisUnavailableError) this.setup.metrics.redisFailClosed.inc({ queue });
        },
        release: () => {
          if (this.closing) return 'closing';
          return this.parts.isClosed(channel) ? 'channel-closed' : undefined;
        },
      });
    } catch (error) {
      return this.afterError(channel, queue, message, delivery, error);
    }
    if (!outcome.done) {
      if (outcome.release === 'closing') this.settle(channel, requeue(message));
      return;
    }
    this.count(queue, outcome.value === DUPLICATE_DELIVERY ? 'duplicate' : 'handled');
    return this.settle(channel, ack(message));
  }

  private async afterError(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    delivery: ReliableDeliveryContext,
    error: unknown,
  ): Promise<void> {
    if (error instanceof HandlerFailedError) return this.afterFailure(channel, queue, message, error);
    if (error instanceof UnprocessableMessageError) return this.park(channel, queue, message, error, 0, ack);
    // Unknown failure outside the handler (e.g. another interceptor): requeue after a pause; the
    // queue's delivery limit bounds how often.
    this.logger.error({
      msg: 'unexpected pipeline error',
      messageId: delivery.messageId,
      error: String(error),
    });
    await sleep(HOLD_BACKOFF_MAX_MS);
    return this.settle(channel, requeue(message));
  }

  private async afterFailure(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    failure: HandlerFailedError,
  ): Promise<void> {
    const { verdict } = failure;
    if (verdict.action === 'retry-delayed') {
      await sendRetryCopy(channel, this.setup.names.retryQueue(queue, verdict.delayMs), message);
      this.count(queue, 'retried');
      return this.settle(channel, ack(message));
    }
    const settle = verdict.action === 'reject' ? reject : ack;
    return this.park(channel, queue, message, failure, failure.attempt, settle);
  }

  /** Records the dead letter first; only a stored dead letter lets the message leave the queue. */
  private async park(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    cause: ParkCause,
    attempts: number,
    then: (message: ConsumeMessage) => Settle,
  ): Promise<void> {
    const record = consumeDeadLetter(message, queue, this.setup.subscription.consumer, cause, attempts);
    const outcome = await holdUntilDone(() => this.setup.deadLetters.park(record), {
      holds: () => true,
      onHeld: (parkError) =>
        this.logger.error({ msg: 'could not store dead letter', error: String(parkError) }),
      release: () => (this.closing ? 'closing' : undefined),
    });
    if (!outcome.done) return this.settle(channel, requeue(message));
    this.count(queue, 'parked');
    return this.settle(channel, then(message));
  }

  private contextOf(queue: string, message: ConsumeMessage, messageId: string): ReliableDeliveryContext {
    const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
    const orderingKey = headers[ORDERING_KEY_HEADER];
    const correlationId: unknown = message.properties.correlationId;
    return new ReliableDeliveryContext({
      consumer: this.setup.subscription.consumer,
      queue,
      messageId,
      routingKey: routingKeyOf(message),
      headers,
      redelivered: message.fields.redelivered,
      redisMode: this.setup.subscription.redis ?? 'required',
      correlationId: typeof correlationId === 'string' ? correlationId : undefined,
      orderingKey: typeof orderingKey === 'string' ? orderingKey : undefined,
    });
  }

  private settle(channel: ConfirmChannel, settle: Settle): void {
    this.parts.settlements.settle(channel, settle);
  }

  private count(queue: string, result: Result): void {
    this.setup.metrics.consumed.inc({ queue, result });
    // Debug only: one line per delivery; its message ids and trace id come from the log context.
    this.logger.debug({ msg: 'delivery settled', result });
  }
}
