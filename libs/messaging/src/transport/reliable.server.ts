import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Logger } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { AttemptCounter } from '../consuming/attempt-counter';
import type { DedupeInterceptor } from '../consuming/dedupe.interceptor';
import type { ReliableDeliveryContext } from '../consuming/delivery-context';
import { HandlerRunner } from '../consuming/handler-runner';
import { resolveInboxBatch } from '../consuming/inbox-batch-settings';
import { validated } from '../consuming/message-decoder';
import { ReliableConsumer } from '../consuming/reliable-consumer';
import { assertDeliveryLimitAbove, resolveRetryPolicy } from '../consuming/retry-policy';
import { subscriptionTopology } from '../consuming/subscription-topology';
import type { DeadLetterService } from '../dead-letters/dead-letter.service';
import type { ResolvedMessagingOptions } from '../messaging.options';
import type { MessagingMetrics } from '../observability/messaging-metrics';
import { topologyNames } from '../topology/topology-names';
import { EventRoutes } from './event-routes';
import { callNestHandler } from './nest-handler-call';
import { describeHandler } from './handler-names';
import { directHandler } from './direct-handler';
import { RELIABLE_EVENT_EXTRAS, ReliableEventOptions, ReliableServerOptions } from './reliable-event.options';
import { ReliableRmqContext } from './reliable-rmq.context';
import { MessagePatternNotSupportedError, NoHandlerError } from './transport-errors';

/** The app's shared clients and services the transport runs its pipeline with. */
export interface ReliableTransportDeps {
  amqp: AmqpConnection;
  dataSource: DataSource;
  deadLetters: DeadLetterService;
  metrics: MessagingMetrics;
  options: Pick<ResolvedMessagingOptions, 'redisKeyPrefix' | 'consuming' | 'topology'>;
  redis: Redis;
  dedupe: DedupeInterceptor;
  modules: ModulesContainer;
}

/** Lets `@EventPattern(pattern, RELIABLE_TRANSPORT)` pin a handler to this transport in a multi-transport app. */
export const RELIABLE_TRANSPORT = Symbol('RELIABLE_TRANSPORT');

interface Route {
  handler: string;
  callback: MessageHandler;
  settings: ReliableEventOptions;
  runner: HandlerRunner;
}

interface QueueGroup {
  consumer: string;
  ordered?: ReliableEventOptions['ordered'];
  patterns: string[];
  routes: EventRoutes<Route>;
  settings: ReliableEventOptions;
  delaysMs: Set<number>;
}

/**
 * A Nest microservice transport on the library's reliable pipeline: `@EventPattern` handlers get what
 * `@ReliableSubscribe` handlers get (manual ack after the effect, Redis dedupe, retry modes, inbox, per-key
 * order, dead letters and alerts, bad input parked, reconnect, graceful drain). Patterns are routing
 * keys; handlers of one consumer and stream share one `ReliableConsumer`, which routes by key.
 */
export class ReliableServer extends Server implements CustomTransportStrategy {
  override readonly transportId = RELIABLE_TRANSPORT;
  private readonly log = new Logger(ReliableServer.name);
  private readonly attempts: AttemptCounter;
  private consumers: ReliableConsumer[] = [];
  private directCalls = false;

  constructor(
    private readonly serverOptions: ReliableServerOptions,
    private readonly deps: ReliableTransportDeps,
  ) {
    super();
    const o = deps.options;
    this.attempts = new AttemptCounter(deps.redis, o.redisKeyPrefix, o.consuming.dedupeDoneTtlMs);
  }

  /** Refuses request/response handlers while Nest registers them, so the app does not start with one. */
  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    if (!isEventHandler) {
      throw new MessagePatternNotSupportedError(describeHandler(this.deps.modules, pattern, 'message'));
    }
    if (typeof pattern !== 'string') {
      throw new Error(
        `${describeHandler(this.deps.modules, pattern, 'event')}: patterns on the reliable transport are ` +
          `AMQP routing keys (strings), got ${JSON.stringify(pattern)}`,
      );
    }
    super.addHandler(pattern, callback, isEventHandler, extras);
  }

  listen(callback: (error?: unknown) => void): void {
    try {
      this.consumers = this.groups().map((group) => this.consumerFor(group));
    } catch (error) {
      return callback(error);
    }
    this.consumers.forEach((consumer) => consumer.start());
    callback();
  }

  /**
   * Lets handlers without guards, interceptors, pipes or filters skip Nest's proxy. Only for a
   * microservice known to have no global enhancers but `ReliableExceptionFilter` (connectReliableTransport
   * checks); off by default, so a hand-made `connectMicroservice` keeps Nest's chain everywhere.
   */
  callHandlersDirectly(on: boolean): void {
    this.directCalls = on;
  }

  /** Graceful drain: no new deliveries, in-flight ones finish and are acked, then the channels close. */
  async close(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.deps.dedupe.marksWritten();
  }

  /** Resolves once every queue group consumes; for tests and readiness. */
  async whenConsuming(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.ready));
  }

  /** Consumer name → queues it consumes. */
  subscriptions(): Array<{ consumer: string; queues: string[] }> {
    return this.consumers.map((c) => ({ consumer: c.consumer, queues: c.queues }));
  }

  on(): never {
    throw new Error('ReliableServer emits no events: watch /health or its metrics instead');
  }

  /** The app's golevelup connection, which this transport's channels live on. */
  unwrap<T>(): T {
    return this.deps.amqp as T;
  }

  private groups(): QueueGroup[] {
    const groups = new Map<string, QueueGroup>();
    const consuming = this.deps.options.consuming;
    for (const [pattern, callback] of this.getHandlers()) {
      const own = (callback.extras?.[RELIABLE_EVENT_EXTRAS] ?? {}) as ReliableEventOptions;
      const settings: ReliableEventOptions = { ...this.serverOptions.defaults, ...own };
      const consumer = settings.consumer ?? this.serverOptions.consumer;
      const key = `${consumer}\u0000${settings.ordered?.stream ?? ''}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          consumer,
          ordered: settings.ordered,
          patterns: [],
          routes: new EventRoutes(),
          settings,
          delaysMs: new Set(),
        };
        groups.set(key, group);
      }
      const policy = resolveRetryPolicy(settings.retry, consuming, Boolean(settings.ordered));
      assertDeliveryLimitAbove(policy.maxAttempts, consuming.deliveryLimit, consumer);
      policy.delaysMs.forEach((delay) => group.delaysMs.add(delay));
      const handler = describeHandler(this.deps.modules, pattern, 'event');
      const direct = this.directCalls
        ? directHandler(this.deps.modules, pattern, callback, RELIABLE_TRANSPORT)
        : undefined;
      const route: Route = {
        handler,
        callback: direct ?? callback,
        settings,
        runner: undefined as unknown as HandlerRunner,
      };
      route.runner = new HandlerRunner(
        (input) => callNestHandler(route.callback, input as NestCall),
        policy,
        this.attempts,
        settings.inbox ? this.deps.dataSource : undefined,
        resolveInboxBatch(settings.inboxBatch, consuming, this.serverOptions.prefetch ?? consuming.prefetch),
      );
      group.patterns.push(pattern);
      group.routes.add(pattern, route);
    }
    return [...groups.values()];
  }

  private consumerFor(group: QueueGroup): ReliableConsumer {
    const { options, amqp } = this.deps;
    const names = topologyNames(options.topology.prefix);
    const subscription = {
      consumer: group.consumer,
      exchange: this.serverOptions.exchange,
      routingKey: group.patterns,
      ordered: group.ordered,
      redis: group.settings.redis,
    };
    const delaysMs = [...group.delaysMs].sort((a, b) => a - b);
    const { queues, plan } = subscriptionTopology(names, options, subscription, delaysMs);
    this.log.log(`reliable transport ${group.consumer} -> ${queues.join(', ')}`);
    return new ReliableConsumer({
      subscription,
      names,
      queues,
      plan,
      prefetch: this.serverOptions.prefetch ?? options.consuming.prefetch,
      maxMessageBytes: options.consuming.maxMessageBytes,
      invoke: (payload, delivery, message, channel) =>
        this.deliver(group, payload, delivery, message, channel),
      openChannel: (setup) => amqp.managedConnection.createChannel({ confirm: true, setup }),
      isConnected: () => amqp.managedConnection.isConnected(),
      deadLetters: this.deps.deadLetters,
      metrics: this.deps.metrics,
    });
  }

  /** Route by routing key, then the same steps as `@ReliableSubscribe`: dedupe → retry runner → handler. */
  private deliver(
    group: QueueGroup,
    payload: unknown,
    delivery: ReliableDeliveryContext,
    message: ConsumeMessage,
    channel: ConfirmChannel,
  ): Promise<unknown> {
    let route = group.routes.match(delivery.routingKey);
    let pattern = delivery.routingKey;
    // A message from Nest's ClientRMQ (`{ pattern, data }` sent to the queue): accepted while migrating.
    if (!route && isNestEnvelope(payload)) {
      route = group.routes.match(payload.pattern);
      pattern = payload.pattern;
      payload = payload.data;
    }
    // Sent straight to the queue (default exchange): no event type to route by, but a queue with one
    // handler has only one place to go, as with @ReliableSubscribe.
    if (!route && message.fields.exchange === '' && delivery.routingKey === message.fields.routingKey) {
      route = group.routes.only();
    }
    if (!route) return Promise.reject(new NoHandlerError(delivery.routingKey));
    const found = route;
    const schema = found.settings.schema;
    if (schema) {
      return validated(schema, payload).then((valid) =>
        this.run(found, valid, delivery, message, channel, pattern),
      );
    }
    return this.run(found, payload, delivery, message, channel, pattern);
  }

  private run(
    route: Route,
    payload: unknown,
    delivery: ReliableDeliveryContext,
    message: ConsumeMessage,
    channel: ConfirmChannel,
    pattern: string,
  ): Promise<unknown> {
    const context = new ReliableRmqContext(
      message,
      channel,
      pattern,
      delivery,
      route.handler,
      Boolean(route.settings.inbox),
    );
    const runner = route.runner;
    const call: NestCall = { payload, context };
    return this.deps.dedupe.apply(delivery, () => runner.run(call, delivery));
  }
}

export interface NestCall {
  payload: unknown;
  context: ReliableRmqContext;
}

function isNestEnvelope(value: unknown): value is { pattern: string; data: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { pattern?: unknown }).pattern === 'string' &&
    'data' in value
  );
}
