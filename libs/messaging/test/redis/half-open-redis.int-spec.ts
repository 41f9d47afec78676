import type Redis from 'ioredis';
import { FaultProxy } from '../../../../chaos/net/fault-proxy';
import { createMessagingRedis } from '@app/messaging/testing';
import { TEST_SERVICES, waitFor } from '../support';

const REDIS = new URL(TEST_SERVICES.redisUrl);

/** A Redis whose peer goes silent (blackhole: no FIN, no RST) must not keep the app on a dead socket. */
describe('The messaging Redis client on a half-open connection', () => {
  let proxy: FaultProxy;
  let redis: Redis;

  beforeAll(async () => {
    proxy = new FaultProxy({
      targetHost: REDIS.hostname,
      targetPort: Number(REDIS.port || 6379),
      name: 'redis',
    });
    await proxy.start();
    redis = createMessagingRedis({
      serviceName: 'half-open',
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      redisOptions: {},
    });
    expect(await redis.ping()).toBe('PONG');
  });

  afterAll(async () => {
    redis?.disconnect();
    await proxy?.stop();
  });

  it('fails commands, closes the silent connection itself, and recovers after the blackhole', async () => {
    proxy.blackhole();
    // Fail closed: the command is rejected (the consuming side then holds its deliveries).
    await expect(redis.set('half-open:k', 'v')).rejects.toThrow(/timed out|Socket timeout|max retries/i);
    // The client noticed the silence and dropped the socket before the network healed.
    await waitFor(() => proxy.closedWhileSilenced >= 1, {
      what: 'the client closing its silenced connection',
    });
    await expect(redis.get('half-open:k')).rejects.toThrow();

    proxy.heal();
    await waitFor(async () => (await redis.ping().catch(() => null)) === 'PONG', {
      what: 'a working connection',
    });
    expect(await redis.set('half-open:k', 'v')).toBe('OK');
    expect(await redis.get('half-open:k')).toBe('v');
    await redis.del('half-open:k');
  }, 30_000);
});
