import type { RedisOptions } from 'ioredis';
import type { EntitySchema, MixedList } from 'typeorm';
import type { AdminOptions } from './admin/admin.options';
import type { AlertingOptions } from './alerting/alerting.options';
import type { SocketOptions } from './broker/socket.options';
import type { ConsumingOptions } from './consuming/consuming.options';
import type { MonitoringOptions } from './observability/monitoring.options';
import type {
  OutboxOptions,
  RelayOptions,
  RelayPartitionOptions,
  RetentionOptions,
} from './outbox/outbox.options';
import type { TopologyOptions } from './topology/topology.options';

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
  relay?: Partial<RelayOptions>;
  relayPartitions?: Partial<RelayPartitionOptions>;
  retention?: Partial<RetentionOptions>;
  monitoring?: Partial<MonitoringOptions>;
  consuming?: Partial<ConsumingOptions>;
  alerting?: Partial<AlertingOptions>;
  admin?: Partial<AdminOptions>;
  topology?: Partial<TopologyOptions>;
  sockets?: Partial<SocketOptions>;
}

/** The option groups: each feature injects only its own (`InjectOptionGroup`). */
export interface MessagingOptionGroups {
  outbox: OutboxOptions;
  relay: RelayOptions;
  relayPartitions: RelayPartitionOptions;
  retention: RetentionOptions;
  monitoring: MonitoringOptions;
  consuming: ConsumingOptions;
  alerting: AlertingOptions;
  admin: AdminOptions;
  topology: TopologyOptions;
  sockets: SocketOptions;
}

export type OptionGroupName = keyof MessagingOptionGroups;

/** Options after defaults were merged and values checked. */
export interface ResolvedMessagingOptions
  extends Required<Omit<MessagingModuleOptions, OptionGroupName>>, MessagingOptionGroups {
  rabbitmqUrls: string[];
}

/** Which parts mount HTTP routes or global enhancers; a part switched off is not imported at all. */
export interface MessagingFeatures {
  /** The dead-letter console and API at `/admin` and its OpenAPI document. @default true */
  admin: boolean;
  /** `/health/live` and `/health/ready`. @default true */
  health: boolean;
  /** `/metrics` (Prometheus). @default true */
  metrics: boolean;
  /** Trace and log context of HTTP requests (middleware) and Rabbit handlers (an interceptor on each `@RabbitSubscribe` method). @default true */
  requestContext: boolean;
}

export const FEATURE_DEFAULTS: MessagingFeatures = {
  admin: true,
  health: true,
  metrics: true,
  requestContext: true,
};

export class InvalidMessagingOptionsError extends Error {
  override readonly name = 'InvalidMessagingOptionsError';
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`Invalid messaging option ${option}: ${detail}`);
  }
}

/** The `service` slice: what identifies this service in names, keys and lease owners. */
export type ServiceIdentity = Pick<ResolvedMessagingOptions, 'serviceName' | 'redisKeyPrefix'>;
