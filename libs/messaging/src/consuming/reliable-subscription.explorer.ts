import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ExternalContextCreator } from '@nestjs/core/helpers/external-context-creator';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import {
  DeadLetterQueueDrainer,
  deadLetterSlice,
  DrainedQueue,
} from '../dead-letters/dead-letter-queue-drainer';
import { DeadLetterService } from '../dead-letters/dead-letter.service';
import { InjectMessagingRedis, InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { MessagingMetrics } from '../observability/messaging-metrics';
import { topologyNames, TopologyNames } from '../topology/topology-names';
import type { TopologyPlan } from '../topology/topology-plan';
import type { TopologyOptions } from '../topology/topology.options';
import type { ConsumingOptions } from './consuming.options';
import { DedupeInterceptor } from './dedupe.interceptor';
import { AttemptCounter } from './attempt-counter';
import { ReliableDeliveryContext } from './delivery-context';
import { HandlerRunner, ReliableHandler } from './handler-runner';
import { resolveInboxBatch } from './inbox-batch-settings';
import { ReliableConsumer } from './reliable-consumer';
import { FoundSubscription, findReliableSubscriptions } from './reliable-subscription-scan';
import type { ReliableSubscriptionOptions } from './reliable-subscription.options';
import { assertDeliveryLimitAbove, resolveRetryPolicy } from './retry-policy';
import { subscriptionTopology } from './subscription-topology';

/** golevelup's context type: interceptors see `host.getType() === 'rmq'` for reliable handlers too. */
const RMQ_CONTEXT_TYPE = 'rmq';

/**
 * Finds `@ReliableSubscribe` methods in every module (the way golevelup finds `@RabbitSubscribe`),
 * puts each behind dedupe and the retry runner (and Nest's guards and interceptors when it declares
 * any, ADR 0204), and starts one `ReliableConsumer` per subscription. Start-up does not wait for the
 * broker.
 */
@Injectable()
export class ReliableSubscriptionExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReliableSubscriptionExplorer.name);
  private readonly names: TopologyNames;
  private readonly attempts: AttemptCounter;
  private consumers: ReliableConsumer[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly contextCreator: ExternalContextCreator,
    private readonly amqp: AmqpConnection,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: MessagingMetrics,
    @InjectOptions('service') service: ServiceIdentity,
    @InjectOptions('consuming') private readonly consuming: ConsumingOptions,
    @InjectOptions('topology') private readonly topology: TopologyOptions,
    @InjectMessagingRedis() redis: Redis,
    private readonly dedupe: DedupeInterceptor,
    private readonly drainer: DeadLetterQueueDrainer,
  ) {
    this.names = topologyNames(topology.prefix);
    this.attempts = new AttemptCounter(redis, service.redisKeyPrefix, consuming.dedupeDoneTtlMs);
  }

  onApplicationBootstrap(): void {
    const drained: DrainedQueue[] = [];
    this.consumers = this.discover().map(({ wrapper, methodName, subscription }) =>
      this.consumerFor(wrapper, methodName, subscription, drained),
    );
    this.consumers.forEach((consumer) => consumer.start());
    // After the subscriptions declared their DLQs, never beside them (see DeadLetterQueueDrainer).
    void this.whenConsuming().then(() => this.drainer.start(drained));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.dedupe.marksWritten();
  }

  /** Resolves once every subscription consumes (its queues declared); for tests and readiness. */
  async whenConsuming(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.ready));
  }

  /** Consumer name → queues it consumes. */
  subscriptions(): Array<{ consumer: string; queues: string[] }> {
    return this.consumers.map((c) => ({ consumer: c.consumer, queues: c.queues }));
  }

  private discover(): FoundSubscription[] {
    const found = findReliableSubscriptions(
      { discovery: this.discovery, scanner: this.scanner, reflector: this.reflector },
      true,
    );
    const names = found.map((f) => f.subscription.consumer);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate)
      throw new Error(`Two reliable subscriptions are named ${duplicate}: consumer names must be unique`);
    return found;
  }

  private consumerFor(
    wrapper: InstanceWrapper,
    methodName: string,
    subscription: ReliableSubscriptionOptions,
    drained: DrainedQueue[],
  ): ReliableConsumer {
    const instance = wrapper.instance as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const method = instance[methodName];
    const handler: ReliableHandler =
      (subscription.nestEnhancers ?? declaresEnhancers(instance, method))
        ? this.inNestContext(instance, method, methodName)
        : (payload, delivery) => Promise.resolve(method.call(instance, payload, delivery));
    const consuming = this.consuming;
    const policy = resolveRetryPolicy(subscription.retry, consuming, Boolean(subscription.ordered));
    assertDeliveryLimitAbove(policy.maxAttempts, consuming.deliveryLimit, subscription.consumer);
    const prefetch = subscription.prefetch ?? consuming.prefetch;
    const runner = new HandlerRunner(
      handler,
      policy,
      this.attempts,
      subscription.inbox ? this.dataSource : undefined,
      resolveInboxBatch(subscription.inboxBatch, consuming, prefetch),
    );
    // Dedupe first: a duplicate is acked without reaching the handler or its guards and interceptors.
    const invoke = (payload: unknown, delivery: ReliableDeliveryContext) =>
      this.dedupe.apply(delivery, () => runner.run(payload, delivery));
    const { queues, plan } = this.topologyOf(subscription, policy.delaysMs);
    // A parking subscription's DLQ only receives what the broker dead-lettered by itself: record it.
    // In reject-to-dlq mode the DLQ is the store the subscription chose.
    if (policy.final === 'park') {
      for (const dlq of plan.queues.filter((q) => q.name.endsWith('.dlq')))
        drained.push({
          dlq: dlq.name,
          consumer: subscription.consumer,
          plan: deadLetterSlice(plan, dlq.name),
        });
    }
    this.logger.log(`reliable subscription ${subscription.consumer} -> ${queues.join(', ')}`);
    return new ReliableConsumer({
      subscription,
      names: this.names,
      queues,
      plan,
      prefetch,
      maxMessageBytes: consuming.maxMessageBytes,
      invoke,
      openChannel: (setup) => this.amqp.managedConnection.createChannel({ confirm: true, setup }),
      isConnected: () => this.amqp.managedConnection.isConnected(),
      deadLetters: this.deadLetters,
      metrics: this.metrics,
    });
  }

  /**
   * The handler behind Nest's guards and interceptors (global ones included), context type `rmq`. It
   * runs once per attempt inside the retry runner, so a guard's refusal is a failed attempt like any
   * other: retried, then parked with its error.
   */
  private inNestContext(
    instance: object,
    method: (...args: unknown[]) => Promise<unknown>,
    methodName: string,
  ): ReliableHandler {
    return this.contextCreator.create(
      instance,
      method,
      methodName,
      undefined,
      undefined,
      undefined,
      undefined,
      // No exception filters: failures are settled by the retry policy, not turned into responses.
      { interceptors: true, guards: true, filters: false },
      RMQ_CONTEXT_TYPE,
    ) as ReliableHandler;
  }

  private topologyOf(
    subscription: ReliableSubscriptionOptions,
    retryDelaysMs: number[],
  ): { queues: string[]; plan: TopologyPlan } {
    return subscriptionTopology(
      this.names,
      { consuming: this.consuming, topology: this.topology },
      subscription,
      retryDelaysMs,
    );
  }
}

/** `@UseGuards` / `@UseInterceptors` on the method or its class. */
function declaresEnhancers(instance: object, method: object): boolean {
  const holders = [method, instance.constructor];
  return holders.some((holder) =>
    [GUARDS_METADATA, INTERCEPTORS_METADATA].some(
      (key) => ((Reflect.getMetadata(key, holder) as unknown[] | undefined) ?? []).length > 0,
    ),
  );
}
