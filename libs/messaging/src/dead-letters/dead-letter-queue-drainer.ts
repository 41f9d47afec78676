import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { DataSource } from 'typeorm';
import { applyTopologyPlan, TopologyPlan } from '../topology/topology-plan';
import { brokerDeadLetter } from './broker-dead-letter';
import { DeadLetterService } from './dead-letter.service';

const PREFETCH = 10;
/** Pause before a message whose row could not be stored is offered again (MySQL away). */
const RETRY_PAUSE_MS = 1_000;

/** One DLQ to drain, with the declaration of the DLQ, its exchange and binding. */
export interface DrainedQueue {
  dlq: string;
  consumer: string;
  plan: TopologyPlan;
}

/**
 * Records what the broker dead-lettered on its own (a quorum queue's `x-delivery-limit`, the backstop
 * for a message that crashes its consumer) as `dead_letter` rows, so it is alerted and replayable like
 * any other: consumes each subscription's `<queue>.dlq` and acks a message only after its row committed.
 * Subscriptions in `reject-to-dlq` mode keep their DLQ as the store they chose and are not drained.
 *
 * Started by the subscription explorer once every subscription has declared its queues: RabbitMQ 3.10
 * closes the whole connection (541 INTERNAL_ERROR) when `basic.consume` reaches a quorum queue another
 * channel is still creating, which a drainer declaring the same DLQs at the same time would provoke
 * (docs/broker-behaviour.md).
 */
@Injectable()
export class DeadLetterQueueDrainer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DeadLetterQueueDrainer.name);
  private channel: ChannelWrapper | null = null;
  private closed = false;

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly deadLetters: DeadLetterService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  start(queues: DrainedQueue[]): void {
    if (this.closed || this.channel || queues.length === 0) return;
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
    this.closed = true;
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
}

/** The DLQ, its exchange and their binding out of a subscription's plan (declared as the subscription does). */
export function deadLetterSlice(plan: TopologyPlan, dlq: string): TopologyPlan {
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
