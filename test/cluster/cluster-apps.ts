import { join } from 'node:path';
import {
  ChildApp,
  createIsolatedRedisPrefix,
  freePort,
  IsolatedDatabase,
  IsolatedRedisPrefix,
  REPO_ROOT,
  startChild,
  uniqueName,
  waitFor,
  waitForSteady,
} from '../../libs/messaging/test/support';
import { outboxPartitionOf } from '@app/messaging/testing';
import { RELAY_PARTITION_DEFAULTS } from '@app/messaging/testing';
import { createDemoDatabases } from '../demo-apps';
import { LocalCluster, rotatedUrls } from './local-cluster';

/** The demo's names: producer prefix `app`, stream `orders`, consumer `billing`, 4 partitions. */
export const ORDERED_EXCHANGE = 'app.orders.ordered';
export const PARTITION_QUEUES = [0, 1, 2, 3].map((i) => `app.orders.billing.p${i}`);

export interface QueueInfo {
  name: string;
  type: string;
  leader?: string;
  members?: string[];
  online?: string[];
  consumers?: number;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
}

/** A row to write into the outbox as `OutboxService.add` lays it out (bulk, for load). */
export interface LoadRow {
  messageId: string;
  key: string;
  payload: unknown;
  routingKey: string;
}

/**
 * Built producer and consumer apps, several of each, against a cluster: isolated orders/billing databases,
 * a vhost of their own on the cluster and a Redis prefix. Each instance lists the cluster URLs starting at
 * a different node, so their connections spread over the nodes.
 */
export class ClusterApps {
  readonly producers: ChildApp[] = [];
  readonly consumers: ChildApp[] = [];
  /** Set while a node is down, so management calls go to a live one. */
  downNode?: number;

  private constructor(
    readonly cluster: LocalCluster,
    readonly vhost: string,
    readonly ordersDb: IsolatedDatabase,
    readonly billingDb: IsolatedDatabase,
    readonly redis: IsolatedRedisPrefix,
  ) {}

  static async create(cluster: LocalCluster, label: string): Promise<ClusterApps> {
    const vhost = uniqueName(label);
    await cluster.management(1, 'PUT', `/api/vhosts/${vhost}`);
    await cluster.management(1, 'PUT', `/api/permissions/${vhost}/guest`, {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
    const { ordersDb, billingDb } = await createDemoDatabases(label);
    return new ClusterApps(cluster, vhost, ordersDb, billingDb, createIsolatedRedisPrefix(label));
  }

  async startConsumers(count: number): Promise<void> {
    await this.launch('consumer', count, this.billingDb, this.consumers);
    await waitFor(
      async () => {
        const queues = await Promise.all(PARTITION_QUEUES.map((q) => this.queue(q)));
        return queues.every((q) => q.consumers === this.consumers.length);
      },
      { what: `${count} consumers on every partition queue`, timeoutMs: 60_000, intervalMs: 500 },
    );
  }

  async startProducers(count: number): Promise<void> {
    await this.launch('producer', count, this.ordersDb, this.producers);
  }

  /** Waits until the relays share the outbox partitions, so a measurement starts balanced. */
  async relaysBalanced(relays: number): Promise<void> {
    await waitFor(
      async () => {
        const [row] = await this.sql<{ owners: number }>(
          this.ordersDb,
          'SELECT COUNT(DISTINCT owner) AS owners FROM outbox_partition_lease WHERE lease_until > NOW(3)',
        );
        return Number(row.owners) === relays;
      },
      { what: `${relays} relays owning outbox partitions`, timeoutMs: 90_000, intervalMs: 500 },
    );
  }

  /** AMQP connections in the vhost on nodes that are up: one per app once it is connected. */
  async liveConnections(): Promise<number> {
    return (await this.liveConnectionDetails()).length;
  }

  /** The live connections with their names (`<service>@<host>:<pid>`) and when they opened (epoch ms). */
  async liveConnectionDetails(): Promise<Array<{ name: string; connectedAt: number }>> {
    const list = await this.cluster.management<
      Array<{ node: string; connected_at: number; client_properties?: { connection_name?: string } }>
    >(this.liveNode(), 'GET', `/api/vhosts/${this.vhost}/connections`);
    return list
      .filter((c) => c.node !== this.downNodeName())
      .map((c) => ({ name: c.client_properties?.connection_name ?? '', connectedAt: c.connected_at }));
  }

  /**
   * Quiescence: no unsent outbox row and every partition queue empty with nothing unacked, in every
   * sample for longer than the broker's statistics interval (a single sample can be stale).
   */
  async quiesced(): Promise<void> {
    await waitForSteady(
      async () => {
        const queues = await Promise.all(PARTITION_QUEUES.map((q) => this.queue(q)));
        return (
          (await this.pendingOutbox()) === 0 &&
          queues.every((q) => q.messages_ready === 0 && q.messages_unacknowledged === 0)
        );
      },
      { what: 'outbox and partition queues quiesced', timeoutMs: 60_000, intervalMs: 500 },
    );
  }

  /**
   * Consumers of each partition queue whose channel is on a node that is up. A quorum queue keeps listing
   * the consumers of a lost node ("suspected down") until that node is back, so the queue's own count
   * cannot show a fail-over.
   */
  async liveConsumersPerQueue(): Promise<number[]> {
    const list = await this.cluster.management<
      Array<{ queue: { name: string }; channel_details: { node: string } }>
    >(this.liveNode(), 'GET', `/api/consumers/${this.vhost}`);
    return PARTITION_QUEUES.map(
      (name) =>
        list.filter((c) => c.queue.name === name && c.channel_details.node !== this.downNodeName()).length,
    );
  }

  async queue(name: string): Promise<QueueInfo> {
    return this.cluster.management<QueueInfo>(
      this.liveNode(),
      'GET',
      `/api/queues/${this.vhost}/${encodeURIComponent(name)}`,
    );
  }

  /** Commits outbox rows the way `OutboxService.add` lays them out (relay partition of the key, headers). */
  async writeOutbox(rows: LoadRow[]): Promise<void> {
    if (rows.length === 0) return;
    const now = new Date();
    const values = rows.map((row) => [
      row.messageId,
      ORDERED_EXCHANGE,
      row.routingKey,
      row.key,
      outboxPartitionOf(row.key, RELAY_PARTITION_DEFAULTS.count),
      JSON.stringify(row.payload),
      JSON.stringify({ 'x-correlation-id': row.messageId }),
      now,
      now,
    ]);
    await this.sql(
      this.ordersDb,
      `INSERT INTO outbox_message (message_id, exchange, routing_key, partition_key, \`partition\`, payload, headers, next_attempt_at, created_at) VALUES ?`,
      [values],
    );
  }

  async pendingOutbox(): Promise<number> {
    const [row] = await this.sql<{ n: number }>(
      this.ordersDb,
      'SELECT COUNT(*) AS n FROM outbox_message WHERE sent_at IS NULL',
    );
    return Number(row.n);
  }

  sql<T>(db: IsolatedDatabase, query: string, params: unknown[] = []): Promise<T[]> {
    return db.query<T>(query, params);
  }

  /** Stops every app (SIGTERM: graceful), drops the databases, the vhost and the Redis keys. */
  async dispose(): Promise<void> {
    await Promise.all([...this.producers, ...this.consumers].map((app) => app.kill()));
    await Promise.allSettled([
      this.ordersDb.drop(),
      this.billingDb.drop(),
      this.redis.clear(),
      this.cluster.management(this.liveNode(), 'DELETE', `/api/vhosts/${this.vhost}`),
    ]);
  }

  /** Output of every app, for a failure message. */
  output(): string {
    return [...this.producers, ...this.consumers].map((app) => app.output().slice(-2000)).join('\n---\n');
  }

  private downNodeName(): string | undefined {
    return this.downNode === undefined ? undefined : this.cluster.nodeName(this.downNode);
  }

  private liveNode(): number {
    return this.downNode === 1 ? 2 : 1;
  }

  private async launch(
    app: 'producer' | 'consumer',
    count: number,
    db: IsolatedDatabase,
    into: ChildApp[],
  ): Promise<void> {
    const urls = this.cluster.urls.map((url) => `${url}/${this.vhost}`);
    const started = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const port = await freePort();
        const instance = into.length + i;
        const child = startChild(join(REPO_ROOT, 'dist/apps', app, 'main.js'), {
          PORT: String(port),
          MYSQL_URL: db.url,
          RABBITMQ_URL: urls[0],
          RABBITMQ_URLS: rotatedUrls(urls, instance),
          REDIS_URL: this.redis.url,
          REDIS_KEY_PREFIX: this.redis.prefix,
          SMTP_URL: '',
          ADMIN_TOKEN: 'cluster-admin-token-0123456789',
          LOG_LEVEL: 'warn',
        });
        await waitFor(() => fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok), {
          what: `${app} ${instance} to answer on ${port}`,
          timeoutMs: 60_000,
        }).catch((error: Error) => {
          throw new Error(`${error.message}\n${child.output().slice(-3000)}`);
        });
        return child;
      }),
    );
    into.push(...started);
  }
}
