import { OutboxRelay, OutboxService } from '@app/messaging/testing';
import { DataSource } from 'typeorm';
import { startRabbitApp, stopRabbitApp, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { BrokerProbe, countOutbox, startMessagingApp, distinctMessageIds } from './relay-test-kit';

/** Rows written while the relay publishes, then during the outage, then after it. */
const BEFORE = 2000;
const DURING = 300;
const AFTER = 300;
const ROWS = BEFORE + DURING + AFTER;
const WRITERS = 8;

const ns = useTestNamespace('commit_restart');

/** ADR 0210 under a broker outage: rows handed over at commit, in flight, and written while it is down. */
describe('Publishing at commit across a RabbitMQ restart', () => {
  beforeAll(async () => {
    const broker = await BrokerProbe.open(ns);
    await broker.exchangeWithQueue('orders');
    await broker.close();
  });

  const count = (where: string) => countOutbox(ns, where);

  it('delivers every row committed before, during and after the outage, none left pending or leased', async () => {
    // Leases longer than the test: a row left to its lease instead of released would fail it.
    const app = await startMessagingApp(ns, { relay: { leaseMs: 600_000 } });
    const outbox = app.get(OutboxService);
    const db = app.get(DataSource);
    const relay = app.get(OutboxRelay);
    const take = jest.spyOn(relay, 'take');
    let written = 0;
    /** `n` rows, each in a transaction of its own, `WRITERS` at a time. */
    const writeRows = async (n: number) => {
      const until = written + n;
      const writer = async () => {
        while (written < until) {
          const i = ++written;
          await db.transaction((manager) =>
            outbox.add(manager, { exchange: 'orders', routingKey: 'order.placed', payload: { i } }),
          );
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, writer));
    };
    try {
      // Still writing when the broker stops: rows handed over at commit are in flight then.
      const writing = writeRows(BEFORE);
      await waitFor(async () => (await count('sent_at IS NOT NULL')) >= 500, { what: '500 rows sent' });
      const handedBeforeStop = take.mock.calls.length;
      try {
        await stopRabbitApp();
        await writing;
        // Producers keep committing while the broker is away.
        await writeRows(DURING);
        expect(await count('sent_at IS NULL')).toBeGreaterThan(0);
      } finally {
        await startRabbitApp();
      }
      await writeRows(AFTER);
      await waitFor(async () => (await count('sent_at IS NULL')) === 0, {
        what: 'every row sent after the restart',
        timeoutMs: 120_000,
      });
      // The path under test ran: rows were handed over at commit before the outage.
      expect(handedBeforeStop).toBeGreaterThan(0);
      expect(await count('sent_at IS NULL OR locked_until > UTC_TIMESTAMP(3)')).toBe(0);
    } finally {
      take.mockRestore();
      await app.close();
    }

    expect((await distinctMessageIds(ns, 'orders', ROWS)).size).toBe(ROWS);
    expect(await count('1 = 1')).toBe(ROWS);
  }, 300_000);
});
