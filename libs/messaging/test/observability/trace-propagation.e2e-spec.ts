import { DemoApps, startDemoApps } from '../../../../test/demo-apps';
import { waitFor } from '../support';
import { jsonLines } from './built-app';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

describe('trace context from the producer HTTP request to the consumer log (built apps)', () => {
  let apps: DemoApps;

  beforeAll(async () => {
    // Debug: the consumer writes one line per settled delivery at debug level.
    apps = await startDemoApps('trace', { LOG_LEVEL: 'debug' });
  });

  afterAll(async () => {
    await apps?.stop();
  });

  it('logs the handled message in the consumer with the trace id of the producer request', async () => {
    const response = await fetch(`${apps.producerUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: TRACEPARENT },
      body: JSON.stringify({ customerId: 'traced-customer', amountCents: 4200 }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };

    const [row] = await apps.query<{ message_id: string; headers: string }>(
      apps.ordersDb,
      'SELECT message_id, headers FROM outbox_message WHERE payload LIKE ?',
      [`%${id}%`],
    );
    const stored = JSON.parse(row.headers) as { traceparent: string };
    expect(stored.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));

    const settled = await waitFor(
      () =>
        jsonLines(apps.consumer.output()).find(
          (line) => line.msg === 'delivery settled' && line.messageId === row.message_id,
        ),
      { what: 'the consumer log line of the handled order message', timeoutMs: 30_000 },
    );
    expect(settled).toMatchObject({
      traceId: TRACE_ID,
      messageId: row.message_id,
      correlationId: expect.any(String),
      exchange: expect.any(String),
      queue: expect.any(String),
      result: 'handled',
      service: 'billing',
    });
    const producerLine = jsonLines(apps.producer.output()).find(
      (line) => line.traceId === TRACE_ID && line.service === 'orders',
    );
    expect(producerLine).toBeDefined();
    expect(apps.consumer.output()).not.toContain('traced-customer');
  });
});
