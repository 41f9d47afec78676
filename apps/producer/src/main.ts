import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import {
  bootstrapOrExit,
  hardenHttpApp,
  runMigrations,
  setupAdminOpenApi,
  validateMessagingEnv,
} from '@app/messaging';
import { PRODUCER_ENV_DEFAULTS } from './producer.env';
import { PRODUCER_ENTITIES, PRODUCER_MIGRATIONS } from './producer.migrations';

async function migrate(): Promise<void> {
  const env = validateMessagingEnv(PRODUCER_ENV_DEFAULTS)(process.env);
  const applied = await runMigrations({
    mysqlUrl: env.MYSQL_URL,
    entities: PRODUCER_ENTITIES,
    migrations: PRODUCER_MIGRATIONS,
  });
  process.stdout.write(
    `orders: ${applied.length} migration(s) applied${applied.length ? ': ' + applied.join(', ') : ''}\n`,
  );
}

async function serve(): Promise<void> {
  // Checked before the module graph is built, so a bad variable ends start-up with one line.
  validateMessagingEnv(PRODUCER_ENV_DEFAULTS)(process.env);
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  hardenHttpApp(app);
  setupAdminOpenApi(app);
  app.enableShutdownHooks();
  const port = Number(app.get(ConfigService).get('PORT'));
  await app.listen(port, '0.0.0.0');
  new Logger('Producer').log(`orders listening on http://localhost:${port}`);
}

bootstrapOrExit('orders', process.argv[2] === 'migrate' ? migrate : serve);
