import type { MessagingModuleOptions } from '@app/messaging';

/*
 * For fixtures run as child processes: imports nothing at run time, so a fixture loads no more than it
 * did with its own copy (and it is kept out of ./index for that reason).
 */

/** A variable of the fixture's environment, `fallback` when unset; a missing one fails at start-up. */
export function fixtureEnv(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

/**
 * Options of a consumer fixture in the namespace its test passed down (`TestNamespace.env` plus
 * `TOPOLOGY_PREFIX`), without a relay of its own.
 */
export function consumerFixtureOptions(serviceName: string): MessagingModuleOptions {
  return {
    serviceName,
    mysqlUrl: fixtureEnv('MYSQL_URL'),
    rabbitmqUrls: fixtureEnv('RABBITMQ_URL'),
    redisUrl: fixtureEnv('REDIS_URL'),
    redisKeyPrefix: fixtureEnv('REDIS_KEY_PREFIX'),
    topology: { prefix: fixtureEnv('TOPOLOGY_PREFIX') },
    relay: { enabled: false },
  };
}
