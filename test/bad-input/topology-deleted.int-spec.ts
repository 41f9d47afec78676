import { managementApi, waitFor } from '../../libs/messaging/test/support';
import { DemoApps, startDemoApps } from '../demo-apps';
import { billingPartition, consumedQueues, ORDERS_EXCHANGE } from './raw-broker';

const ALL_PARTITIONS = [0, 1, 2, 3].map(billingPartition);

describe('broker objects deleted under running apps', () => {
  let apps: DemoApps;

  beforeAll(async () => {
    apps = await startDemoApps('topology_deleted');
    await waitFor(async () => (await consumedQueues(apps.vhost.name)).length === 4, {
      what: 'billing consuming its 4 partition queues',
    });
  });

  afterAll(async () => {
    await apps?.stop();
  });

  const createOrders = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${apps.producerUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: `deleted-${i}`, amountCents: 1 + i }),
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    return ids;
  };

  const billed = async (ids: string[]) => {
    const rows = await apps.query<{ orderId: string }>(
      apps.billingDb,
      `SELECT order_id AS orderId FROM billing_ledger WHERE order_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    return rows.length;
  };

  it('recreates a partition queue deleted under the consumer and consumes it again', async () => {
    const queue = billingPartition(1);
    await managementApi('DELETE', `/api/queues/${encodeURIComponent(apps.vhost.name)}/${queue}`);

    // The server cancels the consumer; the consumer declares the queue again and re-subscribes.
    await waitFor(async () => (await consumedQueues(apps.vhost.name)).join() === ALL_PARTITIONS.join(), {
      what: `a consumer on ${queue} again`,
      timeoutMs: 20_000,
    });
    const ids = await createOrders(40);
    await waitFor(async () => (await billed(ids)) === 40, {
      what: '40 orders created after the deletion billed',
      timeoutMs: 30_000,
    });
  });

  it('retries publishes while the stream exchange is gone; the consumers declare it again and they deliver', async () => {
    await managementApi('DELETE', `/api/exchanges/${encodeURIComponent(apps.vhost.name)}/${ORDERS_EXCHANGE}`);
    const ids = await createOrders(5);

    await waitFor(async () => (await billed(ids)) === 5, {
      what: '5 orders published to a deleted exchange billed once it is back',
      timeoutMs: 60_000,
    });
    const rows = await apps.query<{ attempts: number; sentAt: Date | null }>(
      apps.ordersDb,
      `SELECT o.attempts, o.sent_at AS sentAt FROM outbox_message o
        WHERE JSON_UNQUOTE(JSON_EXTRACT(o.payload, '$.orderId')) IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row.sentAt).not.toBeNull();
    // Publishes met the missing exchange and were backed off (markSent counts the last attempt too), not parked.
    expect(Math.max(...rows.map((row) => row.attempts))).toBeGreaterThan(1);
    const [{ n }] = await apps.query<{ n: number }>(apps.ordersDb, 'SELECT COUNT(*) AS n FROM dead_letter');
    expect(Number(n)).toBe(0);
  });
});
