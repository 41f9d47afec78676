import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReliableEvent, ReliableRmqContext } from '@app/messaging';
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

/** Billing's order events on the reliable Nest transport (`main.ts` attaches it). */
@Controller()
export class OrderEventsHandler {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Ordered per order id, deduplicated, exactly one ledger row per message (inbox mode). */
  @EventPattern('order.*')
  @ReliableEvent({
    consumer: BILLING_CONSUMER,
    ordered: { stream: ORDER_EVENTS_STREAM },
    inbox: INBOX_MODE,
    // Checked before the handler: an invalid event is parked as `schema-invalid`, never retried.
    schema: OrderEventDto,
  })
  async handle(@Payload() event: OrderEventDto, @Ctx() context: ReliableRmqContext): Promise<void> {
    const failure = demoFailureFor(event.customerId, context.attempt);
    if (failure) throw failure;
    const manager = INBOX_MODE ? context.getManager() : this.dataSource.manager;
    await manager.insert(BillingLedgerEntry, {
      messageId: context.messageId,
      orderId: event.orderId,
      eventType: event.type,
      seq: event.seq,
      handledAt: new Date(),
    });
  }
}
