import type { RedisOptions } from 'ioredis';
import type { EntitySchema, MixedList } from 'typeorm';
import { ADMIN_DEFAULTS, AdminOptions } from './admin/admin.options';
import { ALERTING_DEFAULTS, AlertingOptions } from './alerting/alerting.options';
import { CONSUMING_DEFAULTS, ConsumingOptions } from './consuming/consuming.options';
import { OBSERVABILITY_DEFAULTS, ObservabilityOptions } from './observability/observability.options';
import { OUTBOX_DEFAULTS, OutboxOptions } from './outbox/outbox.options';
import { TOPOLOGY_DEFAULTS, TopologyOptions } from './topology/topology.options';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ClassList = MixedList<Function | string | EntitySchema>;

/** What an app passes to `MessagingModule.forRoot(Async)`. Only the connection URLs and the service name are required. */
export interface MessagingModuleOptions {
  /** Logical name of this service (`orders`, `billing`): consumer names, lease owners, alert subjects. */
  serviceName: string;
  /** `mysql://user:password@host:3306/database` */
  mysqlUrl: string;
  /** One or more `amqp://` URLs (several = cluster nodes, tried in turn). The URL path is the vhost. */
  rabbitmqUrls: string | string[];
  /** `redis://host:6379/0` */
  redisUrl: string;
  /** Prefix of every Redis key the library writes. @default `${serviceName}:` */
  redisKeyPrefix?: string;
  /**
   * ioredis options merged over the library's fail-fast defaults, e.g. `{ sentinels: [...], name: 'mymaster' }`
   * for Redis Sentinel (then `redisUrl` only names the scheme). @default {}
   */
  redisOptions?: RedisOptions;
  /** The app's own TypeORM entities, added to the library's. */
  entities?: ClassList;
  /** The app's own migrations, run after the library's. */
  migrations?: ClassList;
  /** Run pending migrations when the module starts. @default false (use `npm run migrate`) */
  migrationsRun?: boolean;
  /** MySQL pool size. @default 10 */
  mysqlPoolSize?: number;
  outbox?: Partial<OutboxOptions>;
  consuming?: Partial<ConsumingOptions>;
  alerting?: Partial<AlertingOptions>;
  admin?: Partial<AdminOptions>;
  topology?: Partial<TopologyOptions>;
  observability?: Partial<ObservabilityOptions>;
}

/** Options after defaults were merged and values checked: what the library's classes receive. */
export interface ResolvedMessagingOptions extends Required<
  Omit<MessagingModuleOptions, 'outbox' | 'consuming' | 'alerting' | 'admin' | 'topology' | 'observability'>
> {
  rabbitmqUrls: string[];
  outbox: OutboxOptions;
  consuming: ConsumingOptions;
  alerting: AlertingOptions;
  admin: AdminOptions;
  topology: TopologyOptions;
  observability: ObservabilityOptions;
}

export class InvalidMessagingOptionsError extends Error {
  override readonly name = 'InvalidMessagingOptionsError';
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`Invalid messaging option ${option}: ${detail}`);
  }
}

export function resolveMessagingOptions(options: MessagingModuleOptions): ResolvedMessagingOptions {
  const resolved: ResolvedMessagingOptions = {
    serviceName: options.serviceName,
    mysqlUrl: options.mysqlUrl,
    rabbitmqUrls: ([] as string[]).concat(options.rabbitmqUrls),
    redisUrl: options.redisUrl,
    redisKeyPrefix: options.redisKeyPrefix ?? `${options.serviceName}:`,
    redisOptions: options.redisOptions ?? {},
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsRun: options.migrationsRun ?? false,
    mysqlPoolSize: options.mysqlPoolSize ?? 10,
    outbox: { ...OUTBOX_DEFAULTS, ...options.outbox },
    consuming: { ...CONSUMING_DEFAULTS, ...options.consuming },
    alerting: { ...ALERTING_DEFAULTS, ...options.alerting },
    admin: { ...ADMIN_DEFAULTS, ...options.admin },
    topology: { ...TOPOLOGY_DEFAULTS, ...options.topology },
    observability: { ...OBSERVABILITY_DEFAULTS, ...options.observability },
  };
  validate(resolved);
  return resolved;
}

function validate(o: ResolvedMessagingOptions): void {
  if (!/^[a-z][a-z0-9-]*$/i.test(o.serviceName ?? '')) {
    throw new InvalidMessagingOptionsError(
      'serviceName',
      'letters, digits and dashes, starting with a letter',
    );
  }
  requireUrl('mysqlUrl', o.mysqlUrl, ['mysql:', 'mariadb:']);
  if (o.rabbitmqUrls.length === 0) throw new InvalidMessagingOptionsError('rabbitmqUrls', 'at least one URL');
  o.rabbitmqUrls.forEach((url) => requireUrl('rabbitmqUrls', url, ['amqp:', 'amqps:']));
  requireUrl('redisUrl', o.redisUrl, ['redis:', 'rediss:']);
  const positive: Array<[string, number]> = [
    ['outbox.batchSize', o.outbox.batchSize],
    ['outbox.publishWindow', o.outbox.publishWindow],
    ['outbox.maxAttempts', o.outbox.maxAttempts],
    ['outbox.leaseMs', o.outbox.leaseMs],
    ['consuming.maxAttempts', o.consuming.maxAttempts],
    ['consuming.prefetch', o.consuming.prefetch],
    ['topology.partitions', o.topology.partitions],
  ];
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidMessagingOptionsError(name, 'a positive integer');
  }
}

function requireUrl(option: string, value: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidMessagingOptionsError(option, `not a URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new InvalidMessagingOptionsError(
      option,
      `expected ${protocols.join(' or ')}// (got ${url.protocol}//)`,
    );
  }
}
