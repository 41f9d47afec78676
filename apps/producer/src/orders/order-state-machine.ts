import type { OrderStatus } from './order.entity';

export type OrderAction = 'pay' | 'ship';

export interface OrderTransition {
  from: OrderStatus;
  to: OrderStatus;
  event: OrderEventType;
  seq: number;
}

export type OrderEventType = 'order.created' | 'order.paid' | 'order.shipped';

const TRANSITIONS: Record<OrderAction, OrderTransition> = {
  pay: { from: 'created', to: 'paid', event: 'order.paid', seq: 2 },
  ship: { from: 'paid', to: 'shipped', event: 'order.shipped', seq: 3 },
};

export const ORDER_CREATED = { event: 'order.created', seq: 1 } as const;

/** The transition `action` makes from `status`, or null when the order is not in the state it needs. */
export function transitionFor(action: OrderAction, status: OrderStatus): OrderTransition | null {
  const transition = TRANSITIONS[action];
  return transition.from === status ? transition : null;
}
