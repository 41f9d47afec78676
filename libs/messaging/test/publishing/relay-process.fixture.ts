// A relay-only process for multi-process tests: `startChild(thisFile, ns.env({...}))`.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagingModule } from '@app/messaging';
import { FAST_PARTITIONS, FAST_RELAY } from './relay-test-kit';

const env = process.env;

@Module({
  imports: [
    MessagingModule.forRoot({
      serviceName: 'relay-child',
      mysqlUrl: env.MYSQL_URL!,
      rabbitmqUrls: env.RABBITMQ_URL!,
      redisUrl: env.REDIS_URL!,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      relay: {
        ...FAST_RELAY,
        ownerId: env.RELAY_OWNER ?? '',
        leaseMs: Number(env.RELAY_LEASE_MS ?? FAST_RELAY.leaseMs),
        ...(env.RELAY_BATCH_SIZE ? { batchSize: Number(env.RELAY_BATCH_SIZE) } : {}),
        ...(env.RELAY_WINDOW ? { publishWindow: Number(env.RELAY_WINDOW) } : {}),
      },
      relayPartitions: { ...FAST_PARTITIONS, count: Number(env.RELAY_PARTITIONS ?? 16) },
    }),
  ],
})
class RelayProcessModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(RelayProcessModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  process.stdout.write(`relay ready ${env.RELAY_OWNER ?? ''}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`relay failed: ${error.stack}\n`);
  process.exit(1);
});
