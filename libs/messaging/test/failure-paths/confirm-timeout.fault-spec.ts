import type { INestApplicationContext } from '@nestjs/common';
import { waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import {
  distinct,
  seedOutbox,
  sqlQuery,
  startMessagingApp,
  useCollectingProbe,
} from '../publishing/relay-test-kit';
import { withMemoryAlarm } from './memory-alarm';

jest.setTimeout(120_000);

const ROWS = 20;

interface RowState {
  message_id: string;
  attempts: number;
  sent_at: Date | null;
  last_error: string | null;
}

const ns = useTestNamespace('confirm_timeout');

/**
 * G2 when confirms never come: under a memory alarm the broker blocks every publishing connection, so
 * the relay's publishes wait in the socket and their confirms time out. Run with the broker to itself:
 * `flock /tmp/service-faults.lock npx jest --selectProjects faults --runInBand <this file>`.
 */
describe('G2: a publish whose confirm times out is not marked sent', () => {
  let app: INestApplicationContext;
  const { delivered } = useCollectingProbe(ns, 'orders');

  beforeAll(async () => {
    // Every timeout counts an attempt: enough of them that nothing is parked while the alarm lasts.
    app = await startMessagingApp(ns, {
      relay: { confirmTimeoutMs: 1000, backoffBaseMs: 300, backoffMaxMs: 1000, maxAttempts: 50 },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  const rows = () =>
    sqlQuery<RowState>(
      ns,
      'SELECT message_id, attempts, sent_at, last_error FROM outbox_message ORDER BY id',
    );

  it('keeps every unconfirmed row unsent during the alarm and delivers them all after it clears', async () => {
    let ids: string[] = [];
    const duringAlarm = await withMemoryAlarm(async () => {
      ids = await seedOutbox(
        ns,
        Array.from({ length: ROWS }, (_, i) => ({ exchange: 'orders', payload: { i } })),
      );
      // Every row had at least one publish that timed out: the relay did try, and was not confirmed.
      return waitFor(
        async () => {
          const state = await rows();
          return state.every((r) => r.attempts >= 1 && r.last_error?.startsWith('confirm-timeout')) && state;
        },
        { what: 'every row to have a timed-out publish', timeoutMs: 30_000, intervalMs: 200 },
      );
    });

    expect(duringAlarm.filter((r) => r.sent_at !== null)).toEqual([]);
    expect(await sqlQuery(ns, 'SELECT id FROM dead_letter')).toEqual([]);

    await waitFor(async () => (await rows()).every((r) => r.sent_at !== null), {
      what: 'every row marked sent after the alarm cleared',
      timeoutMs: 60_000,
    });
    await waitForQuiescence(ns.vhost.name, ['orders'], { what: 'the orders queue idle' });
    // At least once: a publish blocked during the alarm and its retry may both arrive.
    expect(distinct(delivered)).toBe(ROWS);
    expect(new Set(delivered.map((r) => r.messageId))).toEqual(new Set(ids));
  });
});
