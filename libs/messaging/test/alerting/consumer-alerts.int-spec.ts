import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DeliveryContext, ReliableSubscribe, topologyNames } from '@app/messaging/testing';
import { useRawPublisher } from '../consuming/raw-publisher';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { useConsumingApp } from '../support/messaging-app';
import { useSmtpSink } from './smtp-sink';

jest.setTimeout(120_000);

const PREFIX = 'alerts';
const names = topologyNames(PREFIX);
const TOKEN = 'consumer-alerts-test-token-0123';
// Far longer than the 1,000 failures take to park on a loaded machine, so they fall into one window.
const DIGEST_WINDOW_MS = 120_000;

/** What the billing handler did: the effects a user would see. */
const handled: Array<{ orderId: string; replayOf: unknown }> = [];
let ledgerDown = true;

@Injectable()
class BillingHandler {
  @ReliableSubscribe({
    consumer: 'storm',
    routingKey: 'storm.*',
    retry: { mode: 'in-process', maxAttempts: 1, then: 'count-then-park', delaysMs: [] },
  })
  async storm(): Promise<void> {
    throw new Error('ledger write failed');
  }

  @ReliableSubscribe({
    consumer: 'billing',
    routingKey: 'order.*',
    retry: { mode: 'in-process', maxAttempts: 1, then: 'count-then-park', delaysMs: [] },
  })
  async bill(payload: { orderId: string; poison?: boolean }, context: DeliveryContext): Promise<void> {
    if (payload.poison || (ledgerDown && payload.orderId.startsWith('retry-later'))) {
      throw new Error('ledger write failed');
    }
    handled.push({ orderId: payload.orderId, replayOf: context.headers['x-replay-of'] });
  }
}

const ns = useTestNamespace('consumer-alerts');
const sink = useSmtpSink();

describe('alerts and replay with a real reliable consumer (G7, G8)', () => {
  const app = useConsumingApp(ns, { providers: [BillingHandler] }, () => ({
    serviceName: 'billing',
    topology: { prefix: PREFIX },
    admin: { token: TOKEN },
    relay: { pollIntervalMs: 200 },
    alerting: { smtpUrl: sink.url, digestWindowMs: DIGEST_WINDOW_MS, sendRetryMaxMs: 1_000 },
  }));
  const publisher = useRawPublisher(ns);
  const queue = names.queue('billing');

  const publish = (body: unknown, routingKey = 'order.created') =>
    publisher.publish({ exchange: names.eventsExchange, routingKey, body });
  const deadLetters = async (where: string) => {
    const [row] = await app.get(DataSource).query(`SELECT COUNT(*) AS n FROM dead_letter WHERE ${where}`);
    return Number(row.n);
  };

  it('keeps consuming and parking while SMTP is down; the emails go out when it is back', async () => {
    sink.received.splice(0);
    await sink.stop();
    try {
      await publish({ orderId: 'healthy-during-outage' });
      await publish({ orderId: 'poison-during-outage', poison: true });
      await waitFor(() => handled.some((effect) => effect.orderId === 'healthy-during-outage'), {
        what: 'the healthy message consumed while SMTP is down',
      });
      await waitFor(
        async () =>
          (await deadLetters(`message_id IS NOT NULL AND payload LIKE '%poison-during-outage%'`)) === 1,
        {
          what: 'the poison message parked while SMTP is down',
        },
      );
      expect(sink.received).toHaveLength(0);
    } finally {
      await sink.start();
    }
    const email = await waitFor(() => sink.received[0], {
      what: 'the queued email after SMTP returned',
      timeoutMs: 30_000,
    });
    expect(email.subject).toBe(`[billing] Message parked: handler-error on ${queue}`);
    expect(email.text).toContain('poison-during-outage');
  });

  it('replays a parked message so the consumer handles it again, and shows it replayed', async () => {
    await publish({ orderId: 'retry-later-1' });
    const [parked] = await waitFor(
      () =>
        app
          .get(DataSource)
          .query<Array<{ id: string; message_id: string }>>(
            "SELECT id, message_id FROM dead_letter WHERE payload LIKE '%retry-later-1%'",
          )
          .then((rows) => rows.length === 1 && rows),
      { what: 'the message parked while the ledger is down' },
    );
    ledgerDown = false;

    await request(app.getHttpServer())
      .post(`/admin/api/dead-letters/${parked.id}/replay`)
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);

    const effect = await waitFor(() => handled.find((e) => e.orderId === 'retry-later-1'), {
      what: 'the replayed message handled by the consumer',
    });
    expect(effect.replayOf).toBe(parked.message_id);
    const shown = await request(app.getHttpServer())
      .get(`/admin/api/dead-letters/${parked.id}`)
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    expect(shown.body.status).toBe('replayed');
  });

  // Last: it stops the app, whose shutdown ends the open digest window.
  it('parks 1,000 consume failures of one class with one immediate email and one digest of 999', async () => {
    const storm = names.queue('storm');
    for (let i = 0; i < 1000; i++) await publish({ orderId: `poison-${i}` }, 'storm.created');

    await waitFor(
      async () => (await deadLetters(`queue = '${storm}' AND reason = 'handler-error'`)) === 1000,
      {
        what: '1,000 parked messages',
        timeoutMs: 90_000,
      },
    );
    await waitFor(() => sink.withSubject(/on alerts\.storm/)[0], { what: 'the immediate email' });
    await app.close();
    expect(sink.withSubject(/on alerts\.storm/).map((email) => email.subject)).toEqual([
      `[billing] Message parked: handler-error on ${storm}`,
      `[billing] Digest: 999 more failures: handler-error on ${storm} in 2 min`,
    ]);
  });
});
