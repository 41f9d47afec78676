import { FactoryProvider, Logger } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { coalesceSocketWrites } from './broker/coalesce-socket-writes';
import { MESSAGING_OPTIONS, MESSAGING_REDIS } from './messaging.constants';
import type { MessagingOptionGroups, ResolvedMessagingOptions } from './messaging.options';

/**
 * Commands fail fast while Redis is away (the consuming side then fails closed) instead of queueing
 * forever; the client reconnects by itself. A peer that went silent without closing (a blackhole, a
 * dead host behind a stateful firewall) is detected too: `socketTimeout` destroys a socket that
 * received nothing for 4 s while a command waits (each command already failed after 2 s), and the
 * client reconnects; TCP keepalive probes an idle socket after 10 s. Without them ioredis kept the
 * half-open socket and every command timed out until TCP gave up. ioredis (5.x) clears a socket
 * timeout only when data arrives: a command written to a socket that then closes leaves its timer
 * armed, so after `disconnect()` during an outage the process can take up to 4 s more to exit (what
 * Jest reports as "did not exit one second after the test run" after the Sentinel fault spec).
 */
const FAIL_FAST: RedisOptions = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 2000,
  socketTimeout: 4000,
  keepAlive: 10_000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
};

/**
 * The library's ioredis client: `redisUrl` plus `redisOptions` merged over the fail-fast settings. With
 * `redisOptions.sentinels` + `name`, ioredis asks the sentinels for the master and follows failovers.
 * Its socket writes are coalesced only with `sockets.coalesceWrites` (off when `sockets` is not given).
 */
export function createMessagingRedis(
  o: Pick<ResolvedMessagingOptions, 'serviceName' | 'redisUrl' | 'redisOptions'> &
    Partial<Pick<MessagingOptionGroups, 'sockets'>>,
): Redis {
  const options: RedisOptions = { connectionName: o.serviceName, ...FAIL_FAST, ...o.redisOptions };
  const redis = options.sentinels ? new Redis(options) : new Redis(o.redisUrl, options);
  // Without a listener ioredis prints every connection error with console.error, past the app's logger.
  // An outage is expected and handled (commands fail closed, the client reconnects), hence a warning.
  const logger = new Logger('MessagingRedis');
  redis.on('error', (error: Error) =>
    logger.warn({ msg: 'Redis connection error; commands fail until it reconnects', error: error.message }),
  );
  // The dedupe claim and done batches of one tick leave in one write (ADR 0204).
  if (o.sockets?.coalesceWrites) redis.on('connect', () => coalesceSocketWrites(redis.stream));
  return redis;
}

export const messagingRedisProvider: FactoryProvider<Redis> = {
  provide: MESSAGING_REDIS,
  inject: [MESSAGING_OPTIONS],
  useFactory: createMessagingRedis,
};
