import type { FactoryProvider } from '@nestjs/common';
import Redis from 'ioredis';
import { MESSAGING_OPTIONS, MESSAGING_REDIS } from './messaging.constants';
import type { ResolvedMessagingOptions } from './messaging.options';

/**
 * One ioredis client for dedupe marks and retry counts. Commands fail fast while Redis is away
 * (the consuming side then fails closed) instead of queueing forever; the client reconnects by itself.
 */
export const messagingRedisProvider: FactoryProvider<Redis> = {
  provide: MESSAGING_REDIS,
  inject: [MESSAGING_OPTIONS],
  useFactory: (o: ResolvedMessagingOptions) =>
    new Redis(o.redisUrl, {
      connectionName: o.serviceName,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    }),
};
