import type { INestApplicationContext } from '@nestjs/common';
import { startRabbitApp, stopRabbitApp, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import {
  BrokerProbe,
  countOutbox,
  seedOutbox,
  startMessagingApp,
  distinctMessageIds,
} from './relay-test-kit';

const ROWS = 5000;

const ns = useTestNamespace('relay_restart');

describe('Relay across a RabbitMQ restart', () => {
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    const broker = await BrokerProbe.open(ns);
    await broker.exchangeWithQueue('orders');
    await broker.close();
  });

  afterAll(async () => {
    await app?.close();
  });

  const count = (where: string) => countOutbox(ns, where);

  it('delivers all 5,000 rows when the broker stops and starts mid-drain, none left pending', async () => {
    await seedOutbox(
      ns,
      Array.from({ length: ROWS }, (_, i) => ({ exchange: 'orders', payload: { i } })),
    );
    // A small window so the restart lands mid-drain.
    app = await startMessagingApp(ns, { relay: { batchSize: 50, publishWindow: 50 } });
    try {
      await waitFor(async () => (await count('sent_at IS NOT NULL')) >= 500, { what: '500 rows sent' });
      await stopRabbitApp();
      expect(await count('sent_at IS NULL')).toBeGreaterThan(0);
    } finally {
      await startRabbitApp();
    }
    await waitFor(async () => (await count('sent_at IS NULL')) === 0, {
      what: 'every row sent after the restart',
      timeoutMs: 120_000,
    });

    expect((await distinctMessageIds(ns, 'orders', ROWS)).size).toBe(ROWS);
  }, 300_000);
});
