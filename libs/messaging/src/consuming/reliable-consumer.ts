import { Logger } from '@nestjs/common';
import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { DeadLetterService } from '../dead-letters/dead-letter.service';
import { runInMessageContext } from '../observability/message-context';
import type { MessagingMetrics } from '../observability/messaging-metrics';
import { ORDERING_KEY_HEADER, TopologyNames } from '../topology/topology-names';
import { applyTopologyPlan, TopologyPlan } from '../topology/topology-plan';
import {
  DatabaseUnavailableError,
  DuplicateInFlightError,
  HandlerFailedError,
  RedisUnavailableError,
  UnprocessableMessageError,
} from './consume-errors';
import { AckBatcher } from './ack-batcher';
import { DUPLICATE_DELIVERY, ReliableDeliveryContext } from './delivery-context';
import { DeliveryScheduler } from './delivery-scheduler';
import { decodeMessage } from './message-decoder';
import { sleep } from './sleep';
import type { ReliableSubscriptionOptions } from './reliable-subscription.options';

/** Header keeping a message's routing key while it passes through a retry queue. */
export const ORIGINAL_ROUTING_KEY_HEADER = 'x-original-routing-key';
const HOLD_BACKOFF_MAX_MS = 2000;
/** How often a consuming channel re-asserts its topology (a deleted exchange, queue or binding comes back). */
export const TOPOLOGY_RECHECK_INTERVAL_MS = 15_000;
/** Grace for a reconnect to bring a new channel before a closed one is replaced by hand. */
const CHANNEL_REOPEN_DELAY_MS = 1000;

export interface ReliableConsumerSetup {
  subscription: ReliableSubscriptionOptions;
  names: TopologyNames;
  /** Queues consumed: one work queue, or the partition queues of an ordered stream. */
  queues: string[];
  plan: TopologyPlan;
  prefetch: number;
  maxMessageBytes: number;
  /** The handler behind its interceptors (dedupe) and the retry runner; the raw delivery is for the Nest transport. */
  invoke: (
    payload: unknown,
    delivery: ReliableDeliveryContext,
    message: ConsumeMessage,
    channel: ConfirmChannel,
  ) => Promise<unknown>;
  openChannel: (setup: (channel: ConfirmChannel) => Promise<void>) => ChannelWrapper;
  /** Whether the shared broker connection is up (then a closed channel will not come back by itself). */
  isConnected: () => boolean;
  deadLetters: DeadLetterService;
  metrics: MessagingMetrics;
}

type Settle = (acks: AckBatcher) => void;

/**
 * One subscription's channel: declares its queues, consumes them, and settles each delivery exactly
 * once, only after the handler finished (ack), after a retry copy was confirmed (ack), after the
 * dead letter was stored (ack or reject), or at shutdown (requeue). Ordered subscriptions handle the
 * deliveries of one ordering key one at a time and different keys side by side (ADR 0208).
 */
export class ReliableConsumer {
  private readonly logger: Logger;
  private wrapper?: ChannelWrapper;
  private active?: { channel: ConfirmChannel; consumerTags: string[] };
  /** The channel most recently handed to setup, consuming or still declaring. */
  private latestChannel?: ConfirmChannel;
  private readonly closedChannels = new WeakSet<ConfirmChannel>();
  private readonly ackBatchers = new WeakMap<ConfirmChannel, AckBatcher>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly scheduler: DeliveryScheduler;
  private closing = false;
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(private readonly setup: ReliableConsumerSetup) {
    this.logger = new Logger(`ReliableConsumer:${setup.subscription.consumer}`);
    this.scheduler = new DeliveryScheduler(setup.subscription.ordered?.concurrency);
  }

  get consumer(): string {
    return this.setup.subscription.consumer;
  }

  get queues(): string[] {
    return this.setup.queues;
  }

  start(): void {
    this.wrapper = this.setup.openChannel((channel) => this.onChannel(channel));
    this.wrapper.on('error', (error: Error) =>
      this.logger.error({ msg: 'subscription channel failed', error: error.message }),
    );
  }

  /** Graceful shutdown: stop taking deliveries, let in-flight ones finish and settle, close. */
  async stop(): Promise<void> {
    this.closing = true;
    const active = this.active;
    if (active) {
      await Promise.allSettled(active.consumerTags.map((tag) => active.channel.cancel(tag)));
    }
    await Promise.allSettled([...this.inFlight]);
    // The last acks are still gathered for the next tick: send them before the channel closes.
    if (active) this.ackBatchers.get(active.channel)?.flush();
    await this.wrapper?.close();
  }

  private async onChannel(channel: ConfirmChannel): Promise<void> {
    this.latestChannel = channel;
    this.watch(channel);
    await applyTopologyPlan(channel, this.setup.plan);
    await channel.prefetch(this.setup.prefetch);
    const consumerTags: string[] = [];
    for (const queue of this.setup.queues) consumerTags.push(await this.subscribe(channel, queue));
    this.active = { channel, consumerTags };
    this.readyResolve();
  }

  private async subscribe(channel: ConfirmChannel, queue: string): Promise<string> {
    const { consumerTag } = await channel.consume(queue, (message) =>
      this.onDelivery(channel, queue, message),
    );
    return consumerTag;
  }

  /**
   * The wrapper gives a new channel only after a reconnect; a channel closed by a channel error (a
   * 404 or 406) would leave the subscription idle for good, so it is replaced here. The periodic
   * re-assertion brings back an exchange, queue or binding deleted while the channel stays open.
   */
  private watch(channel: ConfirmChannel): void {
    const recheck = setInterval(() => {
      applyTopologyPlan(channel, this.setup.plan).catch((error: unknown) =>
        this.logger.warn({ msg: 'topology re-assertion failed', error: String(error) }),
      );
    }, TOPOLOGY_RECHECK_INTERVAL_MS);
    recheck.unref();
    channel.once('close', () => {
      this.closedChannels.add(channel);
      clearInterval(recheck);
      if (!this.closing) setTimeout(() => this.replaceIfIdle(channel), CHANNEL_REOPEN_DELAY_MS).unref();
    });
  }

  private replaceIfIdle(closed: ConfirmChannel): void {
    if (this.closing || this.latestChannel !== closed || !this.setup.isConnected()) return;
    this.logger.warn({ msg: 'subscription channel closed while connected; opening a new one' });
    const previous = this.wrapper;
    this.start();
    void previous?.close().catch(() => undefined);
  }

  /** A queue deleted under us cancels the consumer: declare it again and consume it again. */
  private async resubscribe(channel: ConfirmChannel, queue: string): Promise<void> {
    await applyTopologyPlan(channel, this.setup.plan);
    const consumerTag = await this.subscribe(channel, queue);
    this.active?.consumerTags.push(consumerTag);
    this.logger.warn({ msg: 'consuming again after a broker cancel', queue });
  }

  /** Never throws: a throw inside an amqplib consume callback would kill the connection. */
  private onDelivery(channel: ConfirmChannel, queue: string, message: ConsumeMessage | null): void {
    if (!message) {
      this.logger.warn({ msg: 'consumer cancelled by the broker', queue });
      if (!this.closing) {
        // A failure here closed the channel; the close watch replaces it.
        this.resubscribe(channel, queue).catch((error: unknown) =>
          this.logger.error({ msg: 'could not consume again after a cancel', queue, error: String(error) }),
        );
      }
      return;
    }
    this.acksOf(channel).received(message);
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
    if (this.closedChannels.has(channel)) return;
    // Deliveries queued behind their key's predecessor when shutdown began go back untouched.
    if (this.closing) return this.settle(channel, requeue(message));
    let decoded;
    try {
      decoded = await decodeMessage(message, this.setup.maxMessageBytes, this.setup.subscription.schema);
    } catch (error) {
      if (!(error instanceof UnprocessableMessageError)) throw error;
      return this.park(channel, queue, message, error, 0, ack);
    }
    const delivery = this.deliveryContext(queue, message, decoded.messageId);
    for (let hold = 1; ; hold++) {
      try {
        const result = await this.setup.invoke(decoded.payload, delivery, message, channel);
        this.count(queue, result === DUPLICATE_DELIVERY ? 'duplicate' : 'handled');
        return this.settle(channel, ack(message));
      } catch (error) {
        if (
          error instanceof RedisUnavailableError ||
          error instanceof DatabaseUnavailableError ||
          error instanceof DuplicateInFlightError
        ) {
          if (error instanceof RedisUnavailableError) this.setup.metrics.redisFailClosed.inc({ queue });
          if (this.closing) return this.settle(channel, requeue(message));
          if (this.closedChannels.has(channel)) return;
          await sleep(Math.min(100 * 2 ** hold, HOLD_BACKOFF_MAX_MS));
          continue;
        }
        if (error instanceof HandlerFailedError) return this.afterFailure(channel, queue, message, error);
        if (error instanceof UnprocessableMessageError)
          return this.park(channel, queue, message, error, 0, ack);
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
    }
  }

  private async afterFailure(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    failure: HandlerFailedError,
  ): Promise<void> {
    const { verdict } = failure;
    if (verdict.action === 'retry-delayed') {
      await this.sendToRetryQueue(channel, queue, message, verdict.delayMs);
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
    error: { reason: string; message: string },
    attempts: number,
    then: (message: ConsumeMessage) => Settle,
  ): Promise<void> {
    const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
    const failure = error instanceof HandlerFailedError ? error.failure : error;
    for (let hold = 1; ; hold++) {
      try {
        await this.setup.deadLetters.park({
          origin: 'consume',
          messageId: String(message.properties.messageId ?? `missing:${message.fields.deliveryTag}`),
          reason: error.reason,
          error: failure instanceof Error ? failure.message : error.message,
          errorClass: failure instanceof Error ? failure.name : undefined,
          exchange: message.fields.exchange || null,
          queue,
          routingKey: routingKeyOf(message),
          consumer: this.consumer,
          partitionKey:
            typeof headers[ORDERING_KEY_HEADER] === 'string' ? headers[ORDERING_KEY_HEADER] : null,
          payload: message.content.toString('utf8'),
          headers,
          attempts,
        });
        this.count(queue, 'parked');
        return this.settle(channel, then(message));
      } catch (parkError) {
        this.logger.error({ msg: 'could not store dead letter', error: String(parkError) });
        if (this.closing) return this.settle(channel, requeue(message));
        await sleep(Math.min(100 * 2 ** hold, HOLD_BACKOFF_MAX_MS));
      }
    }
  }

  /** A confirmed copy in the delay queue, so acking the original loses nothing. */
  private sendToRetryQueue(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    delayMs: number,
  ): Promise<void> {
    const { headers: original, ...properties } = message.properties;
    const headers: Record<string, unknown> = { ...(original as Record<string, unknown>) };
    delete headers['x-delivery-count'];
    headers[ORIGINAL_ROUTING_KEY_HEADER] = routingKeyOf(message);
    const options: Options.Publish = { ...definedOnly(properties), headers, persistent: true };
    return new Promise((resolve, reject) =>
      channel.sendToQueue(this.setup.names.retryQueue(queue, delayMs), message.content, options, (error) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      ),
    );
  }

  private deliveryContext(
    queue: string,
    message: ConsumeMessage,
    messageId: string,
  ): ReliableDeliveryContext {
    const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
    const orderingKey = headers[ORDERING_KEY_HEADER];
    const correlationId: unknown = message.properties.correlationId;
    return new ReliableDeliveryContext({
      consumer: this.consumer,
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

  /** A settle on a channel that has since closed is harmless: the broker redelivers, dedupe absorbs it. */
  private settle(channel: ConfirmChannel, settle: Settle): void {
    try {
      settle(this.acksOf(channel));
    } catch (error) {
      this.settleFailed(error);
    }
  }

  private acksOf(channel: ConfirmChannel): AckBatcher {
    let acks = this.ackBatchers.get(channel);
    if (!acks) {
      acks = new AckBatcher(channel, (error) => this.settleFailed(error));
      this.ackBatchers.set(channel, acks);
    }
    return acks;
  }

  private settleFailed(error: unknown): void {
    this.logger.warn({ msg: 'could not settle delivery (channel closed)', error: String(error) });
  }

  private count(queue: string, result: 'handled' | 'duplicate' | 'retried' | 'parked'): void {
    this.setup.metrics.consumed.inc({ queue, result });
    // Debug only: one line per delivery; its message ids and trace id come from the log context.
    this.logger.debug({ msg: 'delivery settled', result });
  }
}

const ack =
  (message: ConsumeMessage): Settle =>
  (acks) =>
    acks.ack(message);
const reject =
  (message: ConsumeMessage): Settle =>
  (acks) =>
    acks.nack(message, false);
const requeue =
  (message: ConsumeMessage): Settle =>
  (acks) =>
    acks.nack(message, true);

function routingKeyOf(message: ConsumeMessage): string {
  const original: unknown = message.properties.headers?.[ORIGINAL_ROUTING_KEY_HEADER];
  return typeof original === 'string' ? original : message.fields.routingKey;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
