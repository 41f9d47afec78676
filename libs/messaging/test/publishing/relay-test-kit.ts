import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { connect, ChannelModel, Channel, ConsumeMessage } from 'amqplib';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import {
  MessagingModuleOptions,
  OutboxService,
  outboxPartitionOf,
  RelayOptions,
  RelayPartitionOptions,
} from '@app/messaging/testing';
import { ChildApp, startChild, TestNamespace, waitFor } from '../support';
import { lateBound } from '../support/block-fixture';
import { createMessagingApp, useMessagingApp } from '../support/messaging-app';

export const RELAY_PROCESS_FIXTURE = join(__dirname, 'relay-process.fixture.ts');

/** Options that make a relay test quick: short backoff and leases, frequent polls. */
export const FAST_RELAY: Partial<RelayOptions> = {
  backoffBaseMs: 100,
  backoffMaxMs: 1000,
  leaseMs: 5000,
  pollIntervalMs: 250,
  confirmTimeoutMs: 5000,
};
export const FAST_PARTITIONS: Partial<RelayPartitionOptions> = { leaseMs: 3000 };

/** What a relay test sets on its app; `relay` and `relayPartitions` merged over `FAST_RELAY` and `FAST_PARTITIONS`. */
export type RelayTestOptions = Partial<
  Pick<MessagingModuleOptions, 'serviceName' | 'admin' | 'relay' | 'relayPartitions' | 'retention' | 'outbox'>
>;

function relayTestOverrides(options: RelayTestOptions): Partial<MessagingModuleOptions> {
  return {
    serviceName: 'relay-test',
    ...options,
    relay: { ...FAST_RELAY, ...options.relay },
    relayPartitions: { ...FAST_PARTITIONS, ...options.relayPartitions },
  };
}

export async function startMessagingApp(
  ns: TestNamespace,
  options: RelayTestOptions = {},
): Promise<INestApplicationContext> {
  const app = await createMessagingApp(ns.options(relayTestOverrides(options)), { logger: ['error'] });
  await app.init();
  return app;
}

/**
 * `startMessagingApp` for a describe block (closed in `afterAll`), handed out at once with the two
 * services relay tests write through: the outbox and the app's DataSource.
 */
export function useRelayTestApp(
  ns: TestNamespace,
  options: RelayTestOptions = {},
): { app: INestApplication; outbox: OutboxService; db: DataSource } {
  const app = useMessagingApp(ns, { logger: ['error'] }, relayTestOverrides(options));
  return {
    app,
    outbox: lateBound('the outbox', () => app.get(OutboxService)),
    db: lateBound('the DataSource', () => app.get(DataSource)),
  };
}

/** A message as a test queue received it. */
export interface Received {
  messageId: string;
  body: unknown;
  message: ConsumeMessage;
}

/** The test's own broker connection: declares what the relay publishes to and collects deliveries. */
export class BrokerProbe {
  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: Channel,
  ) {}

  static async open(ns: TestNamespace): Promise<BrokerProbe> {
    const connection = await connect(ns.vhost.url);
    const channel = await connection.createChannel();
    return new BrokerProbe(connection, channel);
  }

  /** A fanout exchange bound to a durable queue of the same name. */
  async exchangeWithQueue(name: string): Promise<string> {
    await this.channel.assertExchange(name, 'fanout', { durable: true });
    await this.channel.assertQueue(name, { durable: true });
    await this.channel.bindQueue(name, name, '');
    return name;
  }

  /** Collects every delivery of `queue` into `received`, returned (acked at once). */
  async collect(queue: string, received: Received[] = []): Promise<Received[]> {
    await this.channel.consume(queue, (message) => {
      if (!message) return;
      received.push({
        messageId: String(message.properties.messageId),
        body: JSON.parse(message.content.toString('utf8')) as unknown,
        message,
      });
      this.channel.ack(message);
    });
    return received;
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

/**
 * A probe with a fanout exchange `name` bound to a durable queue `name`, collecting every delivery of
 * that queue. Closes the probe again when the set-up fails, as the caller gets nothing to close.
 */
export async function collectingProbe(
  ns: TestNamespace,
  name: string,
): Promise<{ broker: BrokerProbe; delivered: Received[] }> {
  const broker = await BrokerProbe.open(ns);
  try {
    await broker.exchangeWithQueue(name);
    return { broker, delivered: await broker.collect(name) };
  } catch (error) {
    await broker.close();
    throw error;
  }
}

/**
 * `collectingProbe` for a whole describe block: opened in `beforeAll`, closed in `afterAll`. `delivered`
 * is one array for the block, so it may be destructured at once; `channel` only once the probe is open.
 * `declare` sets up what the probe collects from, queue `name` included: by default a fanout exchange
 * `name` bound to a durable queue `name`.
 */
export function useCollectingProbe(
  ns: TestNamespace,
  name: string,
  declare: (probe: BrokerProbe) => Promise<unknown> = (probe) => probe.exchangeWithQueue(name),
): { delivered: Received[]; channel(): Channel } {
  const delivered: Received[] = [];
  let broker: BrokerProbe | undefined;
  beforeAll(async () => {
    broker = await BrokerProbe.open(ns);
    await declare(broker);
    await broker.collect(name, delivered);
  });
  afterAll(async () => {
    await broker?.close();
  });
  return {
    delivered,
    channel: () => {
      if (!broker) throw new Error(`probe ${name} used before its beforeAll ran`);
      return broker.channel;
    },
  };
}

/**
 * Relay processes (relay-process.fixture.ts) a describe block starts; whatever is still running is
 * SIGKILLed in `afterAll`, so a failed test leaves no relay behind.
 */
export function useRelayProcesses(ns: TestNamespace): {
  start(env: Record<string, string>): Promise<ChildApp>;
} {
  const children: ChildApp[] = [];
  afterAll(async () => {
    await Promise.all(children.map((child) => child.kill('SIGKILL')));
  });
  return {
    start: async (env) => {
      const child = startChild(RELAY_PROCESS_FIXTURE, ns.env(env));
      children.push(child);
      await child.waitForOutput(/relay ready/);
      return child;
    },
  };
}

export interface SeedRow {
  exchange: string;
  routingKey?: string;
  key?: string;
  payload: unknown;
}

/** Writes committed outbox rows directly (fast bulk seeding), as `OutboxService.add` would lay them out. */
export async function seedOutbox(
  ns: TestNamespace,
  rows: SeedRow[],
  relayPartitions = 16,
): Promise<string[]> {
  const db = await createConnection({ uri: ns.database.url, timezone: 'Z' });
  const ids: string[] = [];
  const now = new Date();
  try {
    for (let start = 0; start < rows.length; start += 1000) {
      const values = rows.slice(start, start + 1000).map((row) => {
        const messageId = randomUUID();
        ids.push(messageId);
        return [
          messageId,
          row.exchange,
          row.routingKey ?? 'test.event',
          row.key ?? null,
          row.key === undefined ? null : outboxPartitionOf(row.key, relayPartitions),
          JSON.stringify(row.payload),
          JSON.stringify({ 'x-correlation-id': messageId }),
        ];
      });
      await db.query(
        `INSERT INTO outbox_message (message_id, exchange, routing_key, partition_key, \`partition\`, payload, headers, next_attempt_at, created_at) VALUES ?`,
        [values.map((v) => [...v, now, now])],
      );
    }
  } finally {
    await db.end();
  }
  return ids;
}

export function sqlQuery<T>(ns: TestNamespace, sql: string, params: unknown[] = []): Promise<T[]> {
  return ns.database.query<T>(sql, params);
}

export function distinct(received: Received[]): number {
  return new Set(received.map((r) => r.messageId)).size;
}

/** How many outbox rows of the namespace match `where`, an SQL condition. */
export async function countOutbox(ns: TestNamespace, where: string): Promise<number> {
  const [row] = await sqlQuery<{ n: number }>(ns, `SELECT COUNT(*) AS n FROM outbox_message WHERE ${where}`);
  return Number(row.n);
}

/** True when no outbox row of the namespace is left unsent. */
export async function outboxDrained(ns: TestNamespace): Promise<boolean> {
  return (await countOutbox(ns, 'sent_at IS NULL')) === 0;
}

/**
 * Takes every message from `queue` until `expected` distinct message ids arrived (or 60 s passed) and
 * returns those ids: duplicates a restart may cause collapse, a missing message shows as a short set.
 */
export async function distinctMessageIds(
  ns: TestNamespace,
  queue: string,
  expected: number,
): Promise<Set<string>> {
  const connection = await connect(ns.vhost.url);
  const ids = new Set<string>();
  try {
    const channel = await connection.createChannel();
    await waitFor(
      async () => {
        for (
          let m = await channel.get(queue, { noAck: true });
          m;
          m = await channel.get(queue, { noAck: true })
        ) {
          ids.add(String(m.properties.messageId));
        }
        return ids.size >= expected;
      },
      { what: `${expected} distinct message ids in ${queue}`, timeoutMs: 60_000 },
    ).catch(() => undefined);
    return ids;
  } finally {
    await connection.close();
  }
}
