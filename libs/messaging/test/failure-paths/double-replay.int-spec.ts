import request from 'supertest';
import { DeadLetterService } from '@app/messaging/testing';
import { waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { outboxDrained, sqlQuery, useCollectingProbe, useRelayTestApp } from '../publishing/relay-test-kit';

jest.setTimeout(90_000);

const TOKEN = 'double-replay-token-0123456789';
const TARGET = 't.replay-twice';
/** Several dead letters, each replayed twice at once: a race that is lost once shows. */
const DEAD_LETTERS = 6;

const ns = useTestNamespace('double_replay');

/**
 * G8: two operators (or a double click) replay the same dead letter at the same moment. The replay
 * goes through the outbox in the transaction that marks the row replayed; exactly one may commit.
 */
describe('G8: a dead letter replayed twice at the same time', () => {
  // The replays go to the dead letters' queue by name: a queue of its own, no exchange.
  const { delivered } = useCollectingProbe(ns, TARGET, (probe) =>
    probe.channel.assertQueue(TARGET, { durable: true }),
  );
  const { app } = useRelayTestApp(ns, { serviceName: 'billing', admin: { token: TOKEN } });

  it('is replayed once: one request wins, the other is refused, one message arrives', async () => {
    const parked = await Promise.all(
      Array.from({ length: DEAD_LETTERS }, (_, i) =>
        app.get(DeadLetterService).park({
          origin: 'consume',
          messageId: `failed-${i}`,
          reason: 'handler-error',
          error: 'boom',
          queue: TARGET,
          consumer: 'billing',
          payload: JSON.stringify({ i }),
          headers: {},
          attempts: 3,
        }),
      ),
    );
    const replay = (id: string) =>
      request(app.getHttpServer())
        .post(`/admin/api/dead-letters/${id}/replay`)
        .set('Authorization', `Bearer ${TOKEN}`);
    const answers = await Promise.all(parked.flatMap((row) => [replay(row.id), replay(row.id)]));

    for (let i = 0; i < DEAD_LETTERS; i++) {
      const pair = [answers[2 * i].status, answers[2 * i + 1].status].sort();
      expect({ deadLetter: parked[i].messageId, statuses: pair }).toEqual({
        deadLetter: parked[i].messageId,
        statuses: [200, 409],
      });
    }
    await waitFor(() => delivered.length >= DEAD_LETTERS, { what: 'the replays delivered' });
    await waitForQuiescence(ns.vhost.name, [TARGET], {
      what: 'the outbox drained and the target queue idle',
      idle: () => outboxDrained(ns),
    });
    const replayOf = delivered.map((r) => String(r.message.properties.headers?.['x-replay-of'])).sort();
    expect(replayOf).toEqual(parked.map((row) => row.messageId).sort());
    const [outboxRows] = await sqlQuery<{ n: number }>(ns, 'SELECT COUNT(*) AS n FROM outbox_message');
    expect(Number(outboxRows.n)).toBe(DEAD_LETTERS);
  });
});
