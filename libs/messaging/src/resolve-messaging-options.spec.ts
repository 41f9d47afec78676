import { resolveMessagingOptions } from './resolve-messaging-options';

const base = {
  serviceName: 'orders',
  mysqlUrl: 'mysql://u:p@127.0.0.1:3306/orders',
  rabbitmqUrls: 'amqp://127.0.0.1',
  redisUrl: 'redis://127.0.0.1:6379',
};

describe('resolveMessagingOptions', () => {
  it('merges defaults per group and normalises the broker list', () => {
    const resolved = resolveMessagingOptions({ ...base, relay: { maxAttempts: 3 } });
    expect(resolved.rabbitmqUrls).toEqual(['amqp://127.0.0.1']);
    expect(resolved.relay.maxAttempts).toBe(3);
    expect(resolved.relay.batchSize).toBe(2000);
    expect(resolved.monitoring.outboxStuckAfterMs).toBe(300_000);
    expect(resolved.redisKeyPrefix).toBe('orders:');
  });

  it('leaves socket write coalescing off unless asked for', () => {
    expect(resolveMessagingOptions(base).sockets.coalesceWrites).toBe(false);
    expect(
      resolveMessagingOptions({ ...base, sockets: { coalesceWrites: true } }).sockets.coalesceWrites,
    ).toBe(true);
  });

  it('accepts 0 where it is documented to mean something', () => {
    const resolved = resolveMessagingOptions({
      ...base,
      retention: { sentRowsMs: 0 },
      alerting: { payloadExcerptChars: 0 },
    });
    expect(resolved.retention.sentRowsMs).toBe(0);
    expect(resolved.alerting.payloadExcerptChars).toBe(0);
  });

  it.each([
    [{ mysqlUrl: 'nonsense' }, /mysqlUrl: not a URL/],
    [{ rabbitmqUrls: ['redis://x'] }, /rabbitmqUrls: expected amqp/],
    [{ serviceName: '9 lives' }, /serviceName/],
    [{ mysqlPoolSize: 0 }, /option mysqlPoolSize: a positive integer \(got 0\)/],
    [{ relay: { batchSize: 0 } }, /option relay.batchSize: a positive integer/],
    [{ relay: { pollIntervalMs: 2.5 } }, /option relay.pollIntervalMs: a positive integer \(got 2.5\)/],
    [{ relay: { enabled: 'no' as unknown as boolean } }, /option relay.enabled: a boolean/],
    [{ relay: { backoffBaseMs: 5000, backoffMaxMs: 1000 } }, /option relay.backoffMaxMs: at least/],
    [{ relay: { ownerId: 'o'.repeat(65) } }, /option relay.ownerId: at most 64 printable ASCII/],
    [{ relay: { ownerId: 'relay é' } }, /option relay.ownerId: at most 64 printable ASCII/],
    [{ relayPartitions: { count: 0 } }, /option relayPartitions.count: a positive integer \(got 0\)/],
    [{ relayPartitions: { leaseMs: -1 } }, /option relayPartitions.leaseMs: a positive integer/],
    [{ retention: { sentRowsMs: -1 } }, /option retention.sentRowsMs: a non-negative integer \(got -1\)/],
    [{ retention: { purgeBatchSize: 0 } }, /option retention.purgeBatchSize: a positive integer/],
    [
      { monitoring: { outboxStuckAfterMs: Number.NaN } },
      /option monitoring.outboxStuckAfterMs: a positive integer/,
    ],
    [{ outbox: { maxPayloadBytes: 0 } }, /option outbox.maxPayloadBytes: a positive integer/],
    [{ consuming: { prefetch: 0 } }, /option consuming.prefetch: a positive integer/],
    [{ consuming: { retryDelaysMs: [1000, 0] } }, /option consuming.retryDelaysMs\[1\]: a positive integer/],
    [{ alerting: { queueLimit: 0 } }, /option alerting.queueLimit: a positive integer/],
    [{ admin: { groupBatchSize: 0 } }, /option admin.groupBatchSize: a positive integer/],
    [{ topology: { partitions: 0 } }, /option topology.partitions: a positive integer/],
    [{ sockets: { coalesceWrites: 1 as unknown as boolean } }, /option sockets.coalesceWrites: a boolean/],
  ])('rejects %j naming the option', (override, message) => {
    expect(() => resolveMessagingOptions({ ...base, ...override })).toThrow(message);
  });
});
