import { join } from 'node:path';
import {
  ChildApp,
  createIsolatedVhost,
  freePort,
  IsolatedDatabase,
  IsolatedVhost,
  PrivateRedis,
  REPO_ROOT,
  startChild,
  startPrivateRedis,
  waitFor,
} from '../libs/messaging/test/support';
import { ADMIN_TOKEN, createDemoDatabases, DemoAppName } from '../test/demo-apps';
import { MemberNetwork } from './net/member-network';
import { SmtpSink } from './smtp-sink';

export interface FleetOptions {
  label: string;
  producers: number;
  consumers: number;
  /** `inbox` (the demo's default) or `redis`: Redis marks only, no inbox row. */
  dedupe: 'inbox' | 'redis';
}

const START_TIMEOUT_MS = 90_000;

/** Every app instance started and not yet stopped, for the signal trap. */
const running = new Set<FleetMember>();
const runningRedis = new Set<PrivateRedis>();

/** SIGKILLs every app instance and private Redis still running (an interrupted run exits before its `finally`). */
export async function killRunningMembers(): Promise<void> {
  await Promise.allSettled([
    ...[...running].map((member) => member.sigkill()),
    ...[...runningRedis].map((redis) => redis.destroy()),
  ]);
}

/** One app instance on a fixed port, so a killed one comes back where the load driver expects it. */
export class FleetMember {
  child: ChildApp | null = null;

  constructor(
    readonly app: DemoAppName,
    readonly index: number,
    readonly port: number,
    private readonly env: Record<string, string>,
    /** Its own fault proxies to RabbitMQ, MariaDB and Redis (the env's URLs point at them). */
    readonly network: MemberNetwork,
  ) {}

  get name(): string {
    return `${this.app}-${this.index + 1}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.child !== null && this.child.process.exitCode === null && !this.child.process.signalCode;
  }

  async start(): Promise<void> {
    running.add(this);
    const child = startChild(join(REPO_ROOT, 'dist/apps', this.app, 'main.js'), {
      ...this.env,
      PORT: String(this.port),
    });
    this.child = child;
    // A loaded machine (other test runs beside the chaos) can take longer than 30 s to start an app; a
    // restart that is merely slow is not a failed fault.
    await waitFor(() => fetch(`${this.url}/health/live`).then((r) => r.ok), {
      what: `${this.name} to answer on ${this.port}`,
      timeoutMs: START_TIMEOUT_MS,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${child.output().slice(-3000)}`);
    });
  }

  async sigkill(): Promise<void> {
    await this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.child?.kill('SIGTERM');
    running.delete(this);
  }
}

/**
 * Several producer (HTTP API + relay) and consumer instances of the built demo apps on databases, a vhost,
 * a Redis and an SMTP sink of the run's own. Redis is a private redis-server, so restarting it (losing
 * every key, like the shared one that keeps nothing on disk) disturbs no other test on the machine.
 */
export class ChaosFleet {
  private constructor(
    readonly ordersDb: IsolatedDatabase,
    readonly billingDb: IsolatedDatabase,
    readonly vhost: IsolatedVhost,
    readonly redis: PrivateRedis,
    readonly smtp: SmtpSink,
    readonly producers: FleetMember[],
    readonly consumers: FleetMember[],
  ) {}

  static async start(options: FleetOptions): Promise<ChaosFleet> {
    const [{ ordersDb, billingDb }, vhost, redis] = await Promise.all([
      createDemoDatabases(options.label),
      createIsolatedVhost(options.label),
      startPrivateRedis(),
    ]);
    runningRedis.add(redis);
    const smtp = new SmtpSink(await freePort());
    await smtp.start();
    const common = {
      RABBITMQ_URL: vhost.url,
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      ADMIN_TOKEN,
      LOG_LEVEL: 'error',
      BILLING_DEDUPE: options.dedupe,
    };
    const members = async (app: DemoAppName, count: number, db: IsolatedDatabase) => {
      const list: FleetMember[] = [];
      for (let i = 0; i < count; i++) {
        const network = await MemberNetwork.start(`${app}-${i + 1}`, {
          rabbitmq: vhost.url,
          mariadb: db.url,
          redis: redis.url,
        });
        const env = {
          ...common,
          RABBITMQ_URL: network.via('rabbitmq', vhost.url),
          REDIS_URL: network.via('redis', redis.url),
          MYSQL_URL: network.via('mariadb', db.url),
        };
        list.push(new FleetMember(app, i, await freePort(), env, network));
      }
      return list;
    };
    const fleet = new ChaosFleet(
      ordersDb,
      billingDb,
      vhost,
      redis,
      smtp,
      await members('producer', options.producers, ordersDb),
      await members('consumer', options.consumers, billingDb),
    );
    // Consumers first: their start-up declares the queues the first published events must reach.
    for (const member of [...fleet.consumers, ...fleet.producers]) await member.start();
    return fleet;
  }

  query<T>(db: IsolatedDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
    return db.query<T>(sql, params);
  }

  /** Stops every instance (SIGTERM: graceful), then drops the run's databases, vhost and Redis. */
  async destroy(keepData: boolean): Promise<void> {
    await Promise.allSettled([...this.producers, ...this.consumers].map((member) => member.stop()));
    await Promise.allSettled([...this.producers, ...this.consumers].map((member) => member.network.stop()));
    await Promise.allSettled([this.smtp.stop(), this.redis.destroy()]);
    runningRedis.delete(this.redis);
    if (!keepData) {
      await Promise.allSettled([this.ordersDb.drop(), this.billingDb.drop(), this.vhost.delete()]);
    }
  }
}
