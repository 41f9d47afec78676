// An alerting process for multi-process tests: parks PARK_COUNT failures of queue PARK_QUEUE (if any),
// then keeps running so its ticker sends due digests. `startChild(thisFile, ns.env({...}))`.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DeadLetterService, MessagingModule } from '@app/messaging/testing';

const env = process.env;

@Module({
  imports: [
    MessagingModule.forRoot({
      serviceName: 'billing',
      mysqlUrl: env.MYSQL_URL!,
      rabbitmqUrls: env.RABBITMQ_URL!,
      redisUrl: env.REDIS_URL!,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      relay: { enabled: false },
      alerting: { smtpUrl: env.SMTP_URL!, digestWindowMs: Number(env.DIGEST_WINDOW_MS) },
    }),
  ],
})
class AlerterProcessModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AlerterProcessModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  const deadLetters = app.get(DeadLetterService);
  const count = Number(env.PARK_COUNT ?? 0);
  for (let i = 0; i < count; i++) {
    await deadLetters.park({
      origin: 'consume',
      messageId: `${env.PARK_QUEUE}-m${i}`,
      reason: 'handler-error',
      error: 'ledger write failed',
      queue: env.PARK_QUEUE,
      consumer: 'billing',
      payload: JSON.stringify({ orderId: i }),
      attempts: 3,
    });
  }
  process.stdout.write(`alerter ready, parked ${count}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`alerter failed: ${error.stack}\n`);
  process.exit(1);
});
