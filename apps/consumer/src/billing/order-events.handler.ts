import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeliveryContext, ReliableSubscribe } from '@app/messaging';
import { BillingLedgerEntry } from './billing-ledger.entity';
import { demoFailureFor } from './demo-failure-switch';
import { OrderEventDto } from './order-event.dto';

/** Stream and consumer names shared with the producer (`apps/producer/src/orders/order-events.ts`). */
export const ORDER_EVENTS_STREAM = 'orders';
export const BILLING_CONSUMER = 'billing';

/**
 * `BILLING_DEDUPE=redis` turns the inbox off (Redis marks only). Read once at load: the chaos suite uses
 * it to show the duplicates a Redis data loss causes without the inbox (chaos/README.md).
 */
const INBOX_MODE = process.env.BILLING_DEDUPE !== 'redis';

@Injectable()
export class OrderEventsHandler {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Ordered per order id, deduplicated, exactly one ledger row per message (inbox mode). */
  @ReliableSubscribe({
    consumer: BILLING_CONSUMER,
    routingKey: 'order.*',
    ordered: { stream: ORDER_EVENTS_STREAM },
    inbox: INBOX_MODE,
    schema: OrderEventDto,
  })
  async handle(event: OrderEventDto, context: DeliveryContext): Promise<void> {
    const failure = demoFailureFor(event.customerId, context.attempt);
    if (failure) throw failure;
    const manager = context.manager ?? this.dataSource.manager;
    await manager.insert(BillingLedgerEntry, {
      messageId: context.messageId,
      orderId: event.orderId,
      eventType: event.type,
      seq: event.seq,
      handledAt: new Date(),
    });
  }
}
