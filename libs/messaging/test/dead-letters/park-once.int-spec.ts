import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AlertBus, AlertEvent, DeadLetterService, ParkRequest } from '@app/messaging/testing';
import { createMessagingApp } from '../support/messaging-app';
import { useTestNamespace } from '../support/namespace-fixture';

const ns = useTestNamespace('park_once');

describe('Parking a consumed message its consumer parked before (redelivery after a lost ack)', () => {
  let app: INestApplication;
  const alerts: AlertEvent[] = [];

  beforeAll(async () => {
    app = await createMessagingApp(ns.options({ serviceName: 'billing', relay: { enabled: false } }));
    await app.init();
    app.get(AlertBus).subscribe((event) => alerts.push(event));
  });

  afterAll(async () => {
    await app?.close();
  });

  const request = (overrides: Partial<ParkRequest>): ParkRequest => ({
    origin: 'consume',
    messageId: 'poison-1',
    reason: 'handler-error',
    error: 'ledger write failed',
    queue: 'app.orders.billing.p3',
    consumer: 'billing',
    payload: '{"orderId":"o-1","seq":1}',
    attempts: 3,
    ...overrides,
  });

  it('keeps one row and one alert; another consumer or another message still parks', async () => {
    const deadLetters = app.get(DeadLetterService);
    const first = await deadLetters.park(request({}));
    // The chaos suite's case: the redelivery finds its attempts spent and parks it again.
    const again = await deadLetters.park(request({ reason: 'attempts-exhausted', attempts: 4 }));
    expect(again.id).toBe(first.id);
    await deadLetters.park(request({ consumer: 'shipping', queue: 'app.shipping' }));
    await deadLetters.park(request({ messageId: 'poison-2' }));

    const rows = await app
      .get(DataSource)
      .query<Array<{ message_id: string; consumer: string; reason: string }>>(
        'SELECT message_id, consumer, reason FROM dead_letter ORDER BY id',
      );
    expect(rows).toEqual([
      { message_id: 'poison-1', consumer: 'billing', reason: 'handler-error' },
      { message_id: 'poison-1', consumer: 'shipping', reason: 'handler-error' },
      { message_id: 'poison-2', consumer: 'billing', reason: 'handler-error' },
    ]);
    expect(alerts.map((a) => [a.messageId, a.source])).toEqual([
      ['poison-1', 'app.orders.billing.p3'],
      ['poison-1', 'app.shipping'],
      ['poison-2', 'app.orders.billing.p3'],
    ]);
  });
});
