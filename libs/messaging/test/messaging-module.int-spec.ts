import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import {
  MESSAGING_OPTIONS,
  MESSAGING_REDIS,
  MessagingModule,
  ResolvedMessagingOptions,
} from '@app/messaging/testing';
import { waitFor } from './support';
import { useTestNamespace } from './support/namespace-fixture';

const ns = useTestNamespace('module');

describe('MessagingModule against the real services', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRootAsync({
          useFactory: async () => ns.options({ serviceName: 'module-test', relay: { enabled: false } }),
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('resolves options with defaults merged', () => {
    const options = app.get<ResolvedMessagingOptions>(MESSAGING_OPTIONS);
    expect(options.serviceName).toBe('module-test');
    expect(options.relay.maxAttempts).toBe(10);
    expect(options.consuming.retryDelaysMs).toEqual([1000, 10_000, 60_000]);
  });

  it('round-trips a row through MySQL with the migrated schema', async () => {
    const db = app.get(DataSource);
    await db.query(
      "INSERT INTO dead_letter (message_id, origin, payload, reason) VALUES ('m-1', 'consume', '{}', 'round-trip')",
    );
    const rows = await db.query("SELECT reason FROM dead_letter WHERE message_id = 'm-1'");
    expect(rows).toEqual([{ reason: 'round-trip' }]);
  });

  it('round-trips a message through RabbitMQ in its own vhost', async () => {
    const amqp = app.get(AmqpConnection);
    const channel = await waitFor(() => amqp.channel, { what: 'the AMQP channel' });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    channel.sendToQueue(queue, Buffer.from('ping'));
    const message = await waitFor(() => channel.get(queue, { noAck: true }), { what: 'the ping message' });
    expect(message.content.toString()).toBe('ping');
  });

  it('round-trips a key through Redis', async () => {
    const redis = app.get<Redis>(MESSAGING_REDIS);
    await redis.set(`${ns.redis.prefix}ping`, 'pong', 'EX', 60);
    expect(await redis.get(`${ns.redis.prefix}ping`)).toBe('pong');
  });
});
