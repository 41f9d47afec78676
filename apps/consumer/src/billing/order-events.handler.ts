import { Injectable } from '@nestjs/common';
import { DeliveryContext, ReliableSubscribe } from '@app/messaging';
import { BillingLedgerEntry } from './billing-ledger.entity';
import { demoFailureFor } from './demo-failure-switch';
import { OrderEventDto } from './order-event.dto';

/** Stream and consumer names shared with the producer (`apps/producer/src/orders/order-events.ts`). */
export const ORDER_EVENTS_STREAM = 'orders';
export const BILLING_CONSUMER = 'billing';

@Injectable()
export class OrderEventsHandler {
  /** Ordered per order id, deduplicated, exactly one ledger row per message (inbox mode). */
  @ReliableSubscribe({
    consumer: BILLING_CONSUMER,
    routingKey: 'order.*',
    ordered: { stream: ORDER_EVENTS_STREAM },
    inbox: true,
    schema: OrderEventDto,
  })
  async handle(event: OrderEventDto, context: DeliveryContext): Promise<void> {
    const failure = demoFailureFor(event.customerId, context.attempt);
    if (failure) throw failure;
    await context.manager!.insert(BillingLedgerEntry, {
      messageId: context.messageId,
      orderId: event.orderId,
      eventType: event.type,
      seq: event.seq,
      handledAt: new Date(),
    });
  }
}
