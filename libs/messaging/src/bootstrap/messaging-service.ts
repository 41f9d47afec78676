import type { DynamicModule, Type } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger, LoggerModule } from 'nestjs-pino';
import { setupAdminOpenApi } from '../admin/admin-openapi';
import { MessagingModule } from '../messaging.module';
import type { MessagingFeatures, MessagingModuleOptions } from '../messaging.options';
import { runMigrations } from '../migrations/run-migrations';
import { hardenHttpApp } from '../observability/http-hardening';
import { AccessLogMode, messagingLoggerParams } from '../observability/logger-params';
import { bootstrapOrExit } from './bootstrap-or-exit';
import {
  EnvDefaults,
  messagingOptionsFromEnv,
  readMessagingEnv,
  validateMessagingEnv,
} from './messaging-env';

/** What makes one service of the template: its name, environment defaults and its own tables. */
export interface MessagingServiceDefinition {
  serviceName: string;
  envDefaults: EnvDefaults;
  entities: NonNullable<MessagingModuleOptions['entities']>;
  migrations: NonNullable<MessagingModuleOptions['migrations']>;
  /** Module options the environment does not carry (e.g. the relay switched off), merged last. */
  moduleOptions?: Partial<MessagingModuleOptions>;
  /** Parts that mount routes or global enhancers (admin, health, metrics, request context); all on by default. */
  features?: Partial<MessagingFeatures>;
}

/** The imports every service needs: validated configuration, JSON logs and the MessagingModule. */
export function messagingServiceImports(
  service: MessagingServiceDefinition,
): Array<DynamicModule | Promise<DynamicModule>> {
  return [
    ConfigModule.forRoot({ isGlobal: true, validate: validateMessagingEnv(service.envDefaults) }),
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        messagingLoggerParams({
          level: config.get<string>('LOG_LEVEL') ?? 'info',
          service: service.serviceName,
          accessLog: config.get<AccessLogMode>('HTTP_ACCESS_LOG'),
        }),
    }),
    MessagingModule.forRootAsync({
      features: service.features,
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        messagingOptionsFromEnv(readMessagingEnv(config), {
          serviceName: service.serviceName,
          entities: service.entities,
          migrations: service.migrations,
          ...service.moduleOptions,
        }),
    }),
  ];
}

/**
 * A service's `main.ts`: `node main.js migrate` applies its migrations and exits; otherwise the HTTP app
 * starts hardened, with JSON logs and the admin OpenAPI. Any start-up failure ends in one line.
 */
export function runMessagingService(
  service: MessagingServiceDefinition,
  loadAppModule: () => Promise<Type>,
  /** Runs before the HTTP port opens, e.g. to attach the reliable transport (`connectReliableTransport`). */
  beforeListen?: (app: NestExpressApplication) => Promise<void>,
): void {
  const migrate = async () => {
    const env = validateMessagingEnv(service.envDefaults)(process.env);
    const applied = await runMigrations({ mysqlUrl: env.MYSQL_URL, ...service });
    const names = applied.length ? `: ${applied.join(', ')}` : '';
    process.stdout.write(`${service.serviceName}: ${applied.length} migration(s) applied${names}\n`);
  };
  const serve = async () => {
    // Checked before the module graph is built, so a bad variable ends start-up with one line.
    validateMessagingEnv(service.envDefaults)(process.env);
    const app = await NestFactory.create<NestExpressApplication>(await loadAppModule(), { bufferLogs: true });
    app.useLogger(app.get(PinoLogger));
    hardenHttpApp(app);
    setupAdminOpenApi(app);
    app.enableShutdownHooks();
    await beforeListen?.(app);
    const port = Number(app.get(ConfigService).get('PORT'));
    await app.listen(port, '0.0.0.0');
    new Logger(service.serviceName).log(`${service.serviceName} listening on http://localhost:${port}`);
  };
  bootstrapOrExit(service.serviceName, process.argv[2] === 'migrate' ? migrate : serve);
}
