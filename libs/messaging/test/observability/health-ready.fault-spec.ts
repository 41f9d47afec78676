import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessagingModule } from '@app/messaging';
import { startRabbitApp, stopRabbitApp, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';

interface ReadyBody {
  status: string;
  error?: Record<string, { status: string; message?: string }>;
}

const ns = useTestNamespace('health_fault');

describe('/health/ready follows the broker (stops the shared RabbitMQ: run under flock)', () => {
  let app: INestApplication;
  let baseUrl: string;

  const ready = async () => {
    const response = await fetch(`${baseUrl}/health/ready`);
    return { status: response.status, body: (await response.json()) as ReadyBody };
  };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MessagingModule.forRoot(ns.options({ serviceName: 'health-fault' }))],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    await waitFor(async () => (await ready()).status === 200, { what: 'ready before the fault' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers 503 within 10 s of RabbitMQ stopping and 200 again after it returns', async () => {
    try {
      await stopRabbitApp();
      const down = await waitFor(
        async () => {
          const answer = await ready();
          return answer.status === 503 && answer;
        },
        { what: '/health/ready to answer 503', timeoutMs: 10_000, intervalMs: 250 },
      );
      expect(down.body.error?.rabbitmq).toMatchObject({ status: 'down', message: 'broker unreachable' });
      expect(down.body.error).not.toHaveProperty('mysql');
      expect(down.body.error).not.toHaveProperty('redis');
    } finally {
      await startRabbitApp();
    }
    await waitFor(async () => (await ready()).status === 200, {
      what: '/health/ready to answer 200 after RabbitMQ returned',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
  });
});
