import type { INestApplicationContext } from '@nestjs/common';
import { SmtpSink } from '../alerting/smtp-sink';
import { managementApi, waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';
import {
  outboxDrained,
  FAST_PARTITIONS,
  FAST_RELAY,
  seedOutbox,
  sqlQuery,
  useCollectingProbe,
} from '../publishing/relay-test-kit';

jest.setTimeout(90_000);

const MAX_ATTEMPTS = 3;
const OTHERS = 30;
const FILLERS = 2;

interface RowState {
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  sent_at: Date | null;
  now: Date;
}

const ns = useTestNamespace('broker_nack');

/**
 * G2/G3 when the broker says no: a quorum queue at its `x-max-length` with `x-overflow: reject-publish`
 * nacks every publish routed to it. The row must be backed off and retried, parked after the maximum
 * with an alert email, while rows for other exchanges keep flowing.
 */
describe('G2/G3: a publish the broker nacks', () => {
  let app: INestApplicationContext;
  const { delivered, channel } = useCollectingProbe(ns, 'orders');
  const sink = new SmtpSink();

  beforeAll(async () => {
    await sink.start();
    await channel().assertExchange('full', 'fanout', { durable: true });
    await channel().assertQueue('full', {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-max-length': 1, 'x-overflow': 'reject-publish' },
    });
    await channel().bindQueue('full', 'full', '');
    // A quorum queue's limit is soft: it takes one message beyond x-max-length, then rejects.
    for (let i = 0; i < FILLERS; i++) {
      channel().publish('full', '', Buffer.from('{"filler":true}'), { persistent: true });
    }
    await waitFor(async () => (await channel().checkQueue('full')).messageCount === FILLERS, {
      what: 'the full queue over its maximum length',
    });
    app = await createMessagingApp(
      ns.options({
        serviceName: 'nack-test',
        // Backoff long enough to be seen between attempts.
        relay: { ...FAST_RELAY, maxAttempts: MAX_ATTEMPTS, backoffBaseMs: 1500, backoffMaxMs: 3000 },
        relayPartitions: FAST_PARTITIONS,
        alerting: { smtpUrl: sink.url, digestWindowMs: 60_000, sendRetryMaxMs: 1000 },
      }),
      { logger: ['error'] },
    );
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await sink.stop();
  });

  it('backs off, retries, parks after the maximum with an alert, and other rows flow meanwhile', async () => {
    const [nacked] = await seedOutbox(ns, [{ exchange: 'full', payload: { rejected: true } }]);
    const others = await seedOutbox(
      ns,
      Array.from({ length: OTHERS }, (_, i) => ({ exchange: 'orders', payload: { i } })),
    );

    // Seen between two attempts: counted, the error kept, and not due again yet.
    const backedOff = await waitFor(
      async () => {
        const [row] = await sqlQuery<RowState>(
          ns,
          `SELECT attempts, next_attempt_at, last_error, sent_at, UTC_TIMESTAMP(3) AS now
             FROM outbox_message WHERE message_id = ?`,
          [nacked],
        );
        return row && row.attempts >= 1 && row.next_attempt_at > row.now && row;
      },
      { what: 'the nacked row backed off', intervalMs: 50 },
    );
    expect(backedOff).toMatchObject({ sent_at: null, last_error: expect.stringMatching(/^nacked/) });

    const [parked] = await waitFor(
      () =>
        sqlQuery<{ origin: string; reason: string; attempts: number; exchange: string }>(
          ns,
          'SELECT origin, reason, attempts, exchange FROM dead_letter WHERE message_id = ?',
          [nacked],
        ),
      { what: 'the nacked row parked', timeoutMs: 30_000 },
    );
    // The other rows did not wait for the failing one's retries.
    const [sentMeanwhile] = await sqlQuery<{ n: number }>(
      ns,
      'SELECT COUNT(*) AS n FROM outbox_message WHERE message_id IN (?) AND sent_at IS NOT NULL',
      [others],
    );
    expect(Number(sentMeanwhile.n)).toBe(OTHERS);
    expect(parked).toEqual({ origin: 'publish', reason: 'nacked', attempts: MAX_ATTEMPTS, exchange: 'full' });
    expect(await sqlQuery(ns, 'SELECT id FROM outbox_message WHERE message_id = ?', [nacked])).toEqual([]);
    await waitFor(() => sink.withSubject(/Message parked: nacked on full/), { what: 'the alert email' });

    await waitForQuiescence(ns.vhost.name, ['orders'], {
      what: 'the outbox drained and the orders queue idle',
      idle: () => outboxDrained(ns),
    });
    expect(delivered.map((r) => r.messageId).sort()).toEqual([...others].sort());
    // The broker never took the rejected message: the queue holds only the fillers.
    const full = (await managementApi('GET', `/api/queues/${encodeURIComponent(ns.vhost.name)}/full`)) as {
      messages: number;
    };
    expect(full.messages).toBe(FILLERS);
    expect(sink.withSubject(/nacked on full/)).toHaveLength(1);
  });
});
