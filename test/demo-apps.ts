import { join } from 'node:path';
import {
  ChildApp,
  createIsolatedDatabase,
  createIsolatedRedisPrefix,
  createIsolatedVhost,
  freePort,
  IsolatedDatabase,
  IsolatedRedisPrefix,
  IsolatedVhost,
  REPO_ROOT,
  startChild,
  waitFor,
} from '../libs/messaging/test/support';
import { CONSUMER_ENTITIES, CONSUMER_MIGRATIONS } from '../apps/consumer/src/consumer.migrations';
import { PRODUCER_ENTITIES, PRODUCER_MIGRATIONS } from '../apps/producer/src/producer.migrations';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The two demo apps, built, as child processes on an isolated database pair, vhost and Redis prefix. */
export interface DemoApps {
  producerUrl: string;
  consumerUrl: string;
  ordersDb: IsolatedDatabase;
  billingDb: IsolatedDatabase;
  vhost: IsolatedVhost;
  redis: IsolatedRedisPrefix;
  producer: ChildApp;
  consumer: ChildApp;
  query<T>(db: IsolatedDatabase, sql: string, params?: unknown[]): Promise<T[]>;
  startConsumer(): Promise<ChildApp>;
  stop(): Promise<void>;
}

export type DemoAppName = 'producer' | 'consumer';

/** Starts one built demo app with `env` (PORT, MYSQL_URL, …) and resolves once it answers /health/live. */
export async function launchDemoApp(app: DemoAppName, env: Record<string, string>): Promise<ChildApp> {
  const child = startChild(join(REPO_ROOT, 'dist/apps', app, 'main.js'), env);
  await waitFor(() => fetch(`http://127.0.0.1:${env.PORT}/health/live`).then((r) => r.ok), {
    what: `${app} to answer on ${env.PORT}`,
    timeoutMs: 30_000,
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${child.output().slice(-3000)}`);
  });
  return child;
}

/** The two apps' databases, migrated: `orders` for the producer, `billing` for the consumer. */
export async function createDemoDatabases(
  label: string,
): Promise<{ ordersDb: IsolatedDatabase; billingDb: IsolatedDatabase }> {
  const [ordersDb, billingDb] = await Promise.all([
    createIsolatedDatabase(`${label}_orders`, {
      entities: PRODUCER_ENTITIES,
      migrations: PRODUCER_MIGRATIONS,
    }),
    createIsolatedDatabase(`${label}_billing`, {
      entities: CONSUMER_ENTITIES,
      migrations: CONSUMER_MIGRATIONS,
    }),
  ]);
  return { ordersDb, billingDb };
}

export async function startDemoApps(label: string, extraEnv: Record<string, string> = {}): Promise<DemoApps> {
  const [{ ordersDb, billingDb }, vhost] = await Promise.all([
    createDemoDatabases(label),
    createIsolatedVhost(label),
  ]);
  const redis = createIsolatedRedisPrefix(label);
  const [producerPort, consumerPort] = [await freePort(), await freePort()];
  const common = {
    RABBITMQ_URL: vhost.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    SMTP_URL: '',
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const launch = (app: DemoAppName, port: number, db: IsolatedDatabase) =>
    launchDemoApp(app, { ...common, PORT: String(port), MYSQL_URL: db.url });
  const producer = await launch('producer', producerPort, ordersDb);
  const apps: DemoApps = {
    producerUrl: `http://127.0.0.1:${producerPort}`,
    consumerUrl: `http://127.0.0.1:${consumerPort}`,
    ordersDb,
    billingDb,
    vhost,
    redis,
    producer,
    consumer: await launch('consumer', consumerPort, billingDb),
    query: <T>(db: IsolatedDatabase, sql: string, params: unknown[] = []) => db.query<T>(sql, params),
    startConsumer: async () => (apps.consumer = await launch('consumer', consumerPort, billingDb)),
    stop: async () => {
      await Promise.all([apps.producer.kill(), apps.consumer.kill()]);
      await Promise.allSettled([ordersDb.drop(), billingDb.drop(), vhost.delete(), redis.clear()]);
    },
  };
  return apps;
}
