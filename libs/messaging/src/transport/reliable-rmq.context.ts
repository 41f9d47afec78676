import { RmqContext } from '@nestjs/microservices';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { EntityManager } from 'typeorm';
import type { ReliableDeliveryContext } from '../consuming/delivery-context';
import { InboxNotEnabledError } from './transport-errors';

/**
 * What `@Ctx()` gives a handler on the reliable transport: Nest's `RmqContext` (`getMessage`,
 * `getChannelRef`, `getPattern` = the routing key) plus the message id, the attempt and, in inbox mode,
 * the transaction. Acking through the channel is never needed: the transport settles every delivery.
 */
export class ReliableRmqContext extends RmqContext {
  constructor(
    message: ConsumeMessage,
    channel: Channel,
    routingKey: string,
    /** The pipeline's own view of the delivery (dedupe, attempts, inbox). */
    readonly delivery: ReliableDeliveryContext,
    private readonly handler: string,
    private readonly inbox: boolean,
  ) {
    super([message, channel, routingKey]);
  }

  get messageId(): string {
    return this.delivery.messageId;
  }

  /** 1 for the first run of this message, counted across redeliveries and retries. */
  get attempt(): number {
    return this.delivery.attempt;
  }

  getMessageId(): string {
    return this.delivery.messageId;
  }

  getAttempt(): number {
    return this.delivery.attempt;
  }

  getOrderingKey(): string | undefined {
    return this.delivery.orderingKey;
  }

  getHeaders(): Readonly<Record<string, unknown>> {
    return this.delivery.headers;
  }

  /**
   * The inbox transaction: write the effect through it and it commits with the inbox row. Throws
   * rather than returning undefined, so a handler that needs it cannot silently write outside it.
   */
  getManager(): EntityManager {
    const manager = this.delivery.manager;
    if (!this.inbox || !manager) throw new InboxNotEnabledError(this.handler);
    return manager;
  }
}
