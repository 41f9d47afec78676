import type { Order } from './order.entity';
import type { OrderEventType } from './order-state-machine';

/** The ordered stream the order events travel on; billing subscribes to the same name. */
export const ORDER_EVENTS_STREAM = 'orders';

/** Injection token of the outbox ClientProxy the order events are emitted through. */
export const ORDER_EVENTS_CLIENT = 'ORDER_EVENTS_CLIENT';

/** Body of every order event: the consumer checks `seq` to see per-order order. */
export interface OrderEventPayload {
  type: OrderEventType;
  orderId: string;
  customerId: string;
  amountCents: number;
  seq: number;
  occurredAt: string;
}

export function orderEvent(order: Order, type: OrderEventType, seq: number): OrderEventPayload {
  return {
    type,
    orderId: order.id,
    customerId: order.customerId,
    amountCents: order.amountCents,
    seq,
    occurredAt: order.updatedAt.toISOString(),
  };
}
