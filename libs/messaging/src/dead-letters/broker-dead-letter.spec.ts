import type { ConsumeMessage } from 'amqplib';
import { brokerDeadLetter } from './broker-dead-letter';

function dead(headers: Record<string, unknown>, messageId?: string): ConsumeMessage {
  return {
    content: Buffer.from('{"n":1}'),
    fields: { routingKey: 'order.paid' },
    properties: { headers, messageId },
  } as unknown as ConsumeMessage;
}

describe('brokerDeadLetter', () => {
  it('names the delivery limit and the queue the message died in', () => {
    const request = brokerDeadLetter(
      dead(
        {
          'x-first-death-reason': 'delivery_limit',
          'x-first-death-queue': 'app.billing',
          'x-delivery-count': 10,
        },
        'm1',
      ),
      'billing',
      'app.billing.dlq',
    );
    expect(request).toMatchObject({
      origin: 'consume',
      messageId: 'm1',
      reason: 'delivery-limit',
      queue: 'app.billing',
      consumer: 'billing',
      payload: '{"n":1}',
      attempts: 10,
    });
  });

  it('keeps another death reason and gives a message without id a stable one', () => {
    const a = brokerDeadLetter(dead({ 'x-first-death-reason': 'expired' }), 'billing', 'q.dlq');
    const b = brokerDeadLetter(dead({ 'x-first-death-reason': 'expired' }), 'billing', 'q.dlq');
    expect(a.reason).toBe('broker-expired');
    expect(a.queue).toBe('q.dlq');
    expect(a.messageId).toMatch(/^dlq-[0-9a-f]{32}$/);
    expect(b.messageId).toBe(a.messageId);
  });
});
