import { ADMIN_DEFAULTS } from './admin/admin.options';
import { ALERTING_DEFAULTS } from './alerting/alerting.options';
import { SOCKET_DEFAULTS } from './broker/socket.options';
import { CONSUMING_DEFAULTS } from './consuming/consuming.options';
import {
  InvalidMessagingOptionsError,
  MessagingModuleOptions,
  MessagingOptionGroups,
  ResolvedMessagingOptions,
} from './messaging.options';
import { MONITORING_DEFAULTS } from './observability/monitoring.options';
import {
  OUTBOX_DEFAULTS,
  RELAY_DEFAULTS,
  RELAY_PARTITION_DEFAULTS,
  RETENTION_DEFAULTS,
} from './outbox/outbox.options';
import { RELAY_OWNER_MAX_LENGTH } from './outbox/outbox-message.entity';
import { RELAY_OWNER_PATTERN } from './publishing/relay-owner-id';
import { TOPOLOGY_DEFAULTS } from './topology/topology.options';

/** The one place every option default lives (the environment schema reads them from here too). */
export const GROUP_DEFAULTS: MessagingOptionGroups = {
  outbox: OUTBOX_DEFAULTS,
  relay: RELAY_DEFAULTS,
  relayPartitions: RELAY_PARTITION_DEFAULTS,
  retention: RETENTION_DEFAULTS,
  monitoring: MONITORING_DEFAULTS,
  consuming: CONSUMING_DEFAULTS,
  alerting: ALERTING_DEFAULTS,
  admin: ADMIN_DEFAULTS,
  topology: TOPOLOGY_DEFAULTS,
  sockets: SOCKET_DEFAULTS,
};

export const CONNECTION_DEFAULTS = { mysqlPoolSize: 10, migrationsRun: false };

/** Numbers documented to accept 0; every other number must be a positive integer. */
const ZERO_ALLOWED = new Set([
  'retention.sentRowsMs',
  'alerting.payloadExcerptChars',
  'consuming.inboxBatchLingerMs',
]);

export function resolveMessagingOptions(options: MessagingModuleOptions): ResolvedMessagingOptions {
  const groups = Object.fromEntries(
    Object.entries(GROUP_DEFAULTS).map(([name, defaults]) => [
      name,
      { ...defaults, ...(options[name as keyof MessagingOptionGroups] ?? {}) },
    ]),
  ) as unknown as MessagingOptionGroups;
  const resolved: ResolvedMessagingOptions = {
    serviceName: options.serviceName,
    mysqlUrl: options.mysqlUrl,
    rabbitmqUrls: ([] as string[]).concat(options.rabbitmqUrls),
    redisUrl: options.redisUrl,
    redisKeyPrefix: options.redisKeyPrefix ?? `${options.serviceName}:`,
    redisOptions: options.redisOptions ?? {},
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsRun: options.migrationsRun ?? CONNECTION_DEFAULTS.migrationsRun,
    mysqlPoolSize: options.mysqlPoolSize ?? CONNECTION_DEFAULTS.mysqlPoolSize,
    ...groups,
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
  requireCount('mysqlPoolSize', o.mysqlPoolSize);
  for (const group of Object.keys(GROUP_DEFAULTS) as Array<keyof MessagingOptionGroups>) {
    for (const [field, fallback] of Object.entries(GROUP_DEFAULTS[group])) {
      const name = `${group}.${field}`;
      const value: unknown = (o[group] as unknown as Record<string, unknown>)[field];
      if (typeof fallback === 'number') requireCount(name, value, ZERO_ALLOWED.has(name) ? 0 : 1);
      else if (Array.isArray(fallback)) requireCountList(name, value);
      else if (typeof value !== typeof fallback) {
        throw new InvalidMessagingOptionsError(name, `a ${typeof fallback} (got ${JSON.stringify(value)})`);
      }
    }
  }
  if (o.relay.ownerId !== '' && !RELAY_OWNER_PATTERN.test(o.relay.ownerId)) {
    throw new InvalidMessagingOptionsError(
      'relay.ownerId',
      `at most ${RELAY_OWNER_MAX_LENGTH} printable ASCII characters, no spaces (got ${JSON.stringify(o.relay.ownerId)})`,
    );
  }
  if (o.relay.backoffMaxMs < o.relay.backoffBaseMs) {
    throw new InvalidMessagingOptionsError('relay.backoffMaxMs', 'at least relay.backoffBaseMs');
  }
}

function requireCount(name: string, value: unknown, min = 1): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const kind = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new InvalidMessagingOptionsError(name, `${kind} (got ${JSON.stringify(value)})`);
  }
}

function requireCountList(name: string, value: unknown): void {
  if (!Array.isArray(value)) throw new InvalidMessagingOptionsError(name, 'a list of positive integers');
  value.forEach((item, i) => requireCount(`${name}[${i}]`, item));
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
