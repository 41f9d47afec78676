import { transitionFor } from './order-state-machine';

describe('order state machine', () => {
  it('pays a created order and ships a paid one, with seq 2 and 3', () => {
    expect(transitionFor('pay', 'created')).toEqual({
      from: 'created',
      to: 'paid',
      event: 'order.paid',
      seq: 2,
    });
    expect(transitionFor('ship', 'paid')).toEqual({
      from: 'paid',
      to: 'shipped',
      event: 'order.shipped',
      seq: 3,
    });
  });

  it.each([
    ['pay', 'paid'],
    ['pay', 'shipped'],
    ['ship', 'created'],
    ['ship', 'shipped'],
  ] as const)('refuses to %s an order that is %s', (action, status) => {
    expect(transitionFor(action, status)).toBeNull();
  });
});
