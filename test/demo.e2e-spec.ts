import { DemoApps, startDemoApps } from './demo-apps';
import { waitFor } from '../libs/messaging/test/support';

interface LedgerRow {
  orderId: string;
  eventType: string;
  seq: number;
  messageId: string;
}

async function post(url: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the demo: orders -> outbox -> relay -> ordered stream -> billing ledger', () => {
  let apps: DemoApps;

  beforeAll(async () => {
    apps = await startDemoApps('demo');
  });

  afterAll(async () => {
    await apps?.stop();
  });

  /** "fetch failed" alone says nothing; whether the producer still runs, and its last lines, do. */
  async function explained<T>(requests: Promise<T>): Promise<T> {
    try {
      return await requests;
    } catch (error) {
      const { exitCode, signalCode } = apps.producer.process;
      const state = exitCode ?? signalCode ?? 'still running';
      throw new Error(
        `${(error as Error).message}; producer: ${state}\n${apps.producer.output().slice(-3000)}`,
        { cause: error },
      );
    }
  }

  it('handles 500 orders created, paid and shipped: ledger rows are exactly seq 1, 2, 3 per order in id order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) {
      const created = await post(`${apps.producerUrl}/orders`, {
        customerId: `customer-${i}`,
        amountCents: 100 + i,
      });
      expect(created).toEqual({ status: 201, body: { id: expect.any(String), status: 'created' } });
      ids.push(created.body.id as string);
    }
    await explained(
      Promise.all(
        ids.map(async (id) => {
          expect((await post(`${apps.producerUrl}/orders/${id}/pay`)).status).toBe(200);
          expect((await post(`${apps.producerUrl}/orders/${id}/ship`)).status).toBe(200);
        }),
      ),
    );

    await waitFor(
      async () => {
        const [{ n }] = await apps.query<{ n: number }>(
          apps.billingDb,
          'SELECT COUNT(*) AS n FROM billing_ledger',
        );
        return Number(n) >= 1500;
      },
      { what: '1,500 ledger rows', timeoutMs: 120_000, intervalMs: 500 },
    );

    const rows = await apps.query<LedgerRow>(
      apps.billingDb,
      'SELECT order_id AS orderId, event_type AS eventType, seq, message_id AS messageId FROM billing_ledger ORDER BY id',
    );
    expect(rows).toHaveLength(1500);
    expect(new Set(rows.map((r) => r.messageId)).size).toBe(1500);
    const byOrder = new Map<string, string[]>();
    for (const row of rows)
      byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), `${row.seq}:${row.eventType}`]);
    expect(byOrder.size).toBe(500);
    for (const id of ids) {
      expect(byOrder.get(id)).toEqual(['1:order.created', '2:order.paid', '3:order.shipped']);
    }
  });

  it('enforces the order state machine: 409 out of order, 404 unknown id', async () => {
    const { body } = await post(`${apps.producerUrl}/orders`, { customerId: 'state', amountCents: 5 });
    expect((await post(`${apps.producerUrl}/orders/${body.id as string}/ship`)).status).toBe(409);
    expect((await post(`${apps.producerUrl}/orders/${body.id as string}/pay`)).status).toBe(200);
    expect((await post(`${apps.producerUrl}/orders/${body.id as string}/pay`)).status).toBe(409);
    expect((await post(`${apps.producerUrl}/orders/00000000-0000-4000-8000-000000000000/pay`)).status).toBe(
      404,
    );
  });

  it('refuses invalid bodies with 400/413 and writes nothing', async () => {
    const count = async () => {
      const [orders] = await apps.query<{ n: number }>(apps.ordersDb, 'SELECT COUNT(*) AS n FROM orders');
      const [outbox] = await apps.query<{ n: number }>(
        apps.ordersDb,
        'SELECT COUNT(*) AS n FROM outbox_message',
      );
      return { orders: Number(orders.n), outbox: Number(outbox.n) };
    };
    const before = await count();

    const missing = await post(`${apps.producerUrl}/orders`, { amountCents: 10 });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.message)).toMatch(/customerId/);

    const negative = await post(`${apps.producerUrl}/orders`, { customerId: 'x', amountCents: -5 });
    expect(negative.status).toBe(400);
    expect(JSON.stringify(negative.body.message)).toMatch(/amountCents must be a positive number/);

    const fractional = await post(`${apps.producerUrl}/orders`, { customerId: 'x', amountCents: 1.5 });
    expect(fractional.status).toBe(400);

    const tooLongId = await post(`${apps.producerUrl}/orders`, {
      customerId: 'x'.repeat(65),
      amountCents: 1,
    });
    expect(tooLongId.status).toBe(400);

    const huge = await post(`${apps.producerUrl}/orders`, {
      customerId: 'x',
      amountCents: 1,
      pad: 'y'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);

    const notJson = await post(`${apps.producerUrl}/orders`, '{"customerId": "x", amountCents: ');
    expect(notJson.status).toBe(400);

    expect(await count()).toEqual(before);
  });
});
