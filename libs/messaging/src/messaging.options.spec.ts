import { resolveMessagingOptions } from './messaging.options';

const base = {
  serviceName: 'orders',
  mysqlUrl: 'mysql://u:p@127.0.0.1:3306/orders',
  rabbitmqUrls: 'amqp://127.0.0.1',
  redisUrl: 'redis://127.0.0.1:6379',
};

describe('resolveMessagingOptions', () => {
  it('merges defaults per group and normalises the broker list', () => {
    const resolved = resolveMessagingOptions({ ...base, outbox: { maxAttempts: 3 } });
    expect(resolved.rabbitmqUrls).toEqual(['amqp://127.0.0.1']);
    expect(resolved.outbox.maxAttempts).toBe(3);
    expect(resolved.outbox.batchSize).toBe(2000);
    expect(resolved.redisKeyPrefix).toBe('orders:');
  });

  it.each([
    [{ mysqlUrl: 'nonsense' }, /mysqlUrl: not a URL/],
    [{ rabbitmqUrls: ['redis://x'] }, /rabbitmqUrls: expected amqp/],
    [{ serviceName: '9 lives' }, /serviceName/],
    [{ outbox: { batchSize: 0 } }, /outbox.batchSize: a positive integer/],
  ])('rejects %j', (override, message) => {
    expect(() => resolveMessagingOptions({ ...base, ...override })).toThrow(message);
  });
});
