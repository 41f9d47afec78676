import type { MessagingModuleOptions } from '@app/messaging/testing';
import { createIsolatedDatabase, IsolatedDatabase } from './isolated-database';
import { createIsolatedRedisPrefix, IsolatedRedisPrefix } from './isolated-redis';
import { createIsolatedVhost, IsolatedVhost } from './isolated-vhost';

/** A database, a vhost and a Redis key prefix of one test file's own. */
export interface TestNamespace {
  database: IsolatedDatabase;
  vhost: IsolatedVhost;
  redis: IsolatedRedisPrefix;
  /** Module options pointing at this namespace; overrides merged on top. */
  options(overrides?: Partial<MessagingModuleOptions>): MessagingModuleOptions;
  /** Environment for an app started as a child process in this namespace. */
  env(extra?: Record<string, string>): Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createTestNamespace(
  label: string,
  extra: Pick<MessagingModuleOptions, 'entities' | 'migrations'> = {},
): Promise<TestNamespace> {
  const [database, vhost] = await Promise.all([
    createIsolatedDatabase(label, extra),
    createIsolatedVhost(label),
  ]);
  const redis = createIsolatedRedisPrefix(label);
  return {
    database,
    vhost,
    redis,
    options: (overrides = {}) => ({
      serviceName: 'test',
      mysqlUrl: database.url,
      rabbitmqUrls: [vhost.url],
      redisUrl: redis.url,
      redisKeyPrefix: redis.prefix,
      entities: extra.entities,
      migrations: extra.migrations,
      ...overrides,
    }),
    env: (more = {}) => ({
      MYSQL_URL: database.url,
      RABBITMQ_URL: vhost.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      SMTP_URL: '',
      ...more,
    }),
    cleanup: async () => {
      await Promise.allSettled([database.drop(), vhost.delete(), redis.clear()]);
    },
  };
}
