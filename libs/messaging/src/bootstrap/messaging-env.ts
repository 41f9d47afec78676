import * as Joi from 'joi';
import { ADMIN_DEFAULTS } from '../admin/admin.options';
import { ALERTING_DEFAULTS } from '../alerting/alerting.options';
import { adminTokenProblem } from '../admin/default-admin-token.error';
import type { MessagingModuleOptions } from '../messaging.options';
import type { AccessLogMode } from '../observability/logger-params';

/** Environment every app built on the template reads. Defaults are for local use only. */
export interface MessagingEnv {
  NODE_ENV: 'development' | 'production' | 'test';
  PORT: number;
  MYSQL_URL: string;
  RABBITMQ_URL: string;
  /** Comma-separated broker URLs (cluster); wins over RABBITMQ_URL when set. */
  RABBITMQ_URLS?: string;
  REDIS_URL: string;
  /** Prefix of the library's Redis keys. @default `<service name>:` */
  REDIS_KEY_PREFIX?: string;
  /** Redis Sentinel: comma-separated `host:port` of the sentinels; with REDIS_SENTINEL_NAME, wins over REDIS_URL. */
  REDIS_SENTINELS?: string;
  /** Master name the sentinels monitor. @default 'mymaster' */
  REDIS_SENTINEL_NAME: string;
  SMTP_URL: string;
  ADMIN_TOKEN: string;
  /** Read-only admin token; unset: no viewer login. */
  ADMIN_VIEWER_TOKEN?: string;
  ALERT_EMAIL_TO: string;
  ALERT_EMAIL_FROM: string;
  /** Digest window per failure class, ms. @default 300000 */
  ALERT_DIGEST_WINDOW_MS: number;
  PUBLIC_URL?: string;
  LOG_LEVEL: string;
  /** Which HTTP requests get an access-log line. @default 'all' */
  HTTP_ACCESS_LOG: AccessLogMode;
}

export interface EnvDefaults {
  port: number;
  database: string;
}

export const LOCAL_MYSQL_CREDENTIALS = 'messaging:messaging-local';

const url = (...schemes: string[]) => Joi.string().uri({ scheme: schemes });

export function messagingEnvSchema(defaults: EnvDefaults): Joi.ObjectSchema<MessagingEnv> {
  return Joi.object<MessagingEnv>({
    NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
    PORT: Joi.number().port().default(defaults.port),
    MYSQL_URL: url('mysql', 'mariadb')
      .default(`mysql://${LOCAL_MYSQL_CREDENTIALS}@127.0.0.1:3306/${defaults.database}`)
      .messages({
        'string.uriCustomScheme':
          '{{#label}} must be a mysql:// URL such as mysql://user:password@host:3306/db',
      }),
    RABBITMQ_URL: url('amqp', 'amqps').default('amqp://guest:guest@127.0.0.1:5672').messages({
      'string.uriCustomScheme':
        '{{#label}} must be an amqp:// URL such as amqp://user:password@host:5672/vhost',
    }),
    RABBITMQ_URLS: Joi.string()
      .custom((value: string) => {
        for (const part of value.split(',')) Joi.assert(part.trim(), url('amqp', 'amqps'));
        return value;
      })
      .messages({ 'any.custom': '{{#label}} must be comma-separated amqp:// URLs' }),
    REDIS_URL: url('redis', 'rediss').default('redis://127.0.0.1:6379/0').messages({
      'string.uriCustomScheme': '{{#label}} must be a redis:// URL such as redis://host:6379/0',
    }),
    REDIS_KEY_PREFIX: Joi.string().max(64),
    REDIS_SENTINELS: Joi.string()
      .pattern(/^\s*[^\s:,]+:\d+\s*(,\s*[^\s:,]+:\d+\s*)*$/)
      .messages({ 'string.pattern.base': '{{#label}} must be comma-separated host:port pairs' }),
    REDIS_SENTINEL_NAME: Joi.string().default('mymaster'),
    SMTP_URL: Joi.alternatives()
      .try(url('smtp', 'smtps'), Joi.string().valid(''))
      .default('smtp://127.0.0.1:1025')
      .messages({
        'alternatives.match':
          '{{#label}} must be an smtp:// URL such as smtp://host:1025 (or empty to disable email)',
      }),
    ADMIN_TOKEN: Joi.string().min(16).default(ADMIN_DEFAULTS.token),
    ADMIN_VIEWER_TOKEN: Joi.string().min(16),
    ALERT_EMAIL_TO: Joi.string().default(ALERTING_DEFAULTS.to),
    ALERT_EMAIL_FROM: Joi.string().default(ALERTING_DEFAULTS.from),
    ALERT_DIGEST_WINDOW_MS: Joi.number().integer().min(1000).default(ALERTING_DEFAULTS.digestWindowMs),
    PUBLIC_URL: url('http', 'https'),
    LOG_LEVEL: Joi.string()
      .valid('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent')
      .default('info'),
    HTTP_ACCESS_LOG: Joi.string().valid('all', 'errors', 'off').default('all'),
  });
}

export class InvalidEnvironmentError extends Error {
  override readonly name = 'InvalidEnvironmentError';
}

/** `validate` for ConfigModule.forRoot: one line naming the variable, no stack of Joi internals. */
export function validateMessagingEnv(defaults: EnvDefaults) {
  const schema = messagingEnvSchema(defaults);
  return (config: Record<string, unknown>): MessagingEnv => {
    const result: Joi.ValidationResult<MessagingEnv> = schema.validate(config, {
      allowUnknown: true,
      abortEarly: true,
    });
    const error = result.error;
    const value = result.value as MessagingEnv;
    if (error) throw new InvalidEnvironmentError(`Invalid environment: ${error.message.replace(/"/g, '')}`);
    if (value.NODE_ENV === 'production') refuseLocalDefaults(value);
    return value;
  };
}

/** Defaults are for a laptop; in production each of them is a hole. */
function refuseLocalDefaults(env: MessagingEnv): void {
  const problems: string[] = [];
  const adminProblem = adminTokenProblem({
    token: env.ADMIN_TOKEN,
    viewerToken: env.ADMIN_VIEWER_TOKEN ?? ADMIN_DEFAULTS.viewerToken,
  });
  if (adminProblem) problems.push(adminProblem);
  for (const name of ['MYSQL_URL', 'RABBITMQ_URL', 'RABBITMQ_URLS'] as const) {
    for (const part of (env[name] ?? '').split(',').filter(Boolean)) {
      const parsed = new URL(part.trim());
      if (!parsed.password) problems.push(`${name} has an empty password`);
      else if (
        `${parsed.username}:${parsed.password}` === LOCAL_MYSQL_CREDENTIALS ||
        parsed.password === 'guest'
      ) {
        problems.push(`${name} uses the local default credentials`);
      }
    }
  }
  if (problems.length > 0) {
    throw new InvalidEnvironmentError(`Refusing to start with NODE_ENV=production: ${problems.join('; ')}`);
  }
}

/** Maps the validated environment onto the module options; apps add their service name, entities and tuning. */
export function messagingOptionsFromEnv(
  env: MessagingEnv,
  app: Pick<MessagingModuleOptions, 'serviceName'> & Partial<MessagingModuleOptions>,
): MessagingModuleOptions {
  const publicUrl = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  return {
    mysqlUrl: env.MYSQL_URL,
    rabbitmqUrls: env.RABBITMQ_URLS ? env.RABBITMQ_URLS.split(',').map((u) => u.trim()) : [env.RABBITMQ_URL],
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    redisOptions: env.REDIS_SENTINELS
      ? sentinelOptions(env.REDIS_SENTINELS, env.REDIS_SENTINEL_NAME)
      : undefined,
    ...app,
    alerting: {
      smtpUrl: env.SMTP_URL,
      to: env.ALERT_EMAIL_TO,
      from: env.ALERT_EMAIL_FROM,
      digestWindowMs: env.ALERT_DIGEST_WINDOW_MS,
      adminBaseUrl: `${publicUrl}/admin`,
      ...app.alerting,
    },
    admin: {
      token: env.ADMIN_TOKEN,
      viewerToken: env.ADMIN_VIEWER_TOKEN ?? ADMIN_DEFAULTS.viewerToken,
      ...app.admin,
    },
  };
}

const ENV_KEYS: Array<keyof MessagingEnv> = [
  'NODE_ENV',
  'PORT',
  'MYSQL_URL',
  'RABBITMQ_URL',
  'RABBITMQ_URLS',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'SMTP_URL',
  'ADMIN_TOKEN',
  'ADMIN_VIEWER_TOKEN',
  'ALERT_EMAIL_TO',
  'ALERT_EMAIL_FROM',
  'ALERT_DIGEST_WINDOW_MS',
  'PUBLIC_URL',
  'LOG_LEVEL',
  'HTTP_ACCESS_LOG',
];

/** The validated environment back out of @nestjs/config. */
export function readMessagingEnv(config: { get(key: string): unknown }): MessagingEnv {
  return Object.fromEntries(ENV_KEYS.map((key) => [key, config.get(key)])) as unknown as MessagingEnv;
}

function sentinelOptions(
  list: string,
  name: string,
): { sentinels: Array<{ host: string; port: number }>; name: string } {
  const sentinels = list.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':');
    return { host, port: Number(port) };
  });
  return { sentinels, name };
}
