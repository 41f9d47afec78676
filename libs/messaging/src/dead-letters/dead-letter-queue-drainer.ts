import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { DataSource } from 'typeorm';
import { resolveRetryPolicy } from '../consuming/retry-policy';
import { subscriptionTopology } from '../consuming/subscription-topology';
import { InjectMessagingOptions } from '../messaging.constants';
import type { ResolvedMessagingOptions } from '../messaging.options';
import { applyTopologyPlan, TopologyPlan } from '../topology/topology-plan';
import { topologyNames } from '../topology/topology-names';
import { brokerDeadLetter } from './broker-dead-letter';
import { DeadLetterService } from './dead-letter.service';
import { ReliableSubscriptionScan } from './reliable-subscription-scan';

const PREFETCH = 10;
/** Pause before a message whose row could not be stored is offered again (MySQL away). */
const RETRY_PAUSE_MS = 1_000;

interface DrainedQueue {
  dlq: string;
  consumer: string;
  plan: TopologyPlan;
}

/**
 * Records what the broker dead-lettered on its own (a quorum queue's `x-delivery-limit`, the backstop
 * for a message that crashes its consumer) as `dead_letter` rows, so it is alerted and replayable like
 * any other: consumes each subscription's `<queue>.dlq` and acks a message only after its row committed.
 * Subscriptions in `reject-to-dlq` mode keep their DLQ as the store they chose and are not drained.
 */
@Injectable()
export class DeadLetterQueueDrainer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeadLetterQueueDrainer.name);
  private channel: ChannelWrapper | null = null;

  constructor(
    private readonly subscriptions: ReliableSubscriptionScan,
    private readonly amqp: AmqpConnection,
    private readonly deadLetters: DeadLetterService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectMessagingOptions() private readonly options: ResolvedMessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    const queues = this.queuesToDrain();
    if (queues.length === 0) return;
    this.channel = this.amqp.managedConnection.createChannel({
      confirm: true,
      setup: async (channel: ConfirmChannel) => {
        await channel.prefetch(PREFETCH);
        for (const queue of queues) {
          await applyTopologyPlan(channel, queue.plan);
          await channel.consume(queue.dlq, (message) => message && void this.record(channel, message, queue));
        }
      },
    });
    // A setup cut short (the connection closing mid-declaration) is emitted as 'error'; without a
    // listener Node would throw it. The wrapper sets the channel up again on the next connection.
    this.channel.on('error', (error: Error) =>
      this.logger.error({ msg: 'dead-letter queue channel failed', error: error.message }),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.channel?.close();
  }

  private async record(channel: ConfirmChannel, message: ConsumeMessage, queue: DrainedQueue): Promise<void> {
    const request = brokerDeadLetter(message, queue.consumer, queue.dlq);
    try {
      // Redelivered after its row committed but before the ack landed: the row is there, only ack.
      if (!(await this.alreadyRecorded(request.messageId, request.reason, request.queue ?? queue.dlq))) {
        await this.deadLetters.park(request);
      }
      channel.ack(message);
    } catch (error) {
      this.logger.warn({
        msg: 'broker dead letter not recorded, offered again',
        queue: queue.dlq,
        error: String(error),
      });
      setTimeout(() => safely(() => channel.nack(message, false, true)), RETRY_PAUSE_MS).unref();
    }
  }

  private async alreadyRecorded(messageId: string, reason: string, queue: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      /* sql */ 'SELECT 1 FROM dead_letter WHERE message_id = ? AND reason = ? AND queue = ? LIMIT 1',
      [messageId, reason, queue],
    );
    return rows.length > 0;
  }

  /** The DLQ of every reliable subscription that parks (not `reject-to-dlq`), with its declaration. */
  private queuesToDrain(): DrainedQueue[] {
    const names = topologyNames(this.options.topology.prefix);
    return this.subscriptions
      .find(true)
      .filter((s) => resolveRetryPolicy(s.retry, this.options.consuming, Boolean(s.ordered)).final === 'park')
      .flatMap((subscription) => {
        const { plan } = subscriptionTopology(names, this.options, subscription, []);
        return plan.queues
          .filter((q) => q.name.endsWith('.dlq'))
          .map((q) => ({
            dlq: q.name,
            consumer: subscription.consumer,
            plan: deadLetterSlice(plan, q.name),
          }));
      });
  }
}

/** The DLQ, its exchange and their binding out of a subscription's plan (declared as the subscription does). */
function deadLetterSlice(plan: TopologyPlan, dlq: string): TopologyPlan {
  const dlx = plan.bindings.find((b) => b.destination === dlq)?.source;
  return {
    exchanges: plan.exchanges.filter((e) => e.name === dlx),
    queues: plan.queues.filter((q) => q.name === dlq),
    bindings: plan.bindings.filter((b) => b.destination === dlq),
  };
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // The channel closed meanwhile: the broker requeues the unacked message by itself.
  }
}
