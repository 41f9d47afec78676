import { join } from 'node:path';
import { topologyNames } from '@app/messaging';
import { SmtpSink } from '../alerting/smtp-sink';
import { createEffectTable, query } from '../consuming/effect-table';
import { RawPublisher } from '../consuming/raw-publisher';
import {
  ChildApp,
  createTestNamespace,
  managementApi,
  startChild,
  TestNamespace,
  waitFor,
  waitForQuiescence,
} from '../support';

jest.setTimeout(180_000);

const FIXTURE = join(__dirname, 'fixtures', 'crash-loop-consumer.fixture.ts');
const PREFIX = 'crashloop';
const TOTAL = 60;
const CRASHER = 'm-crash';
/** The consuming default: a message may start this many runs before it is parked. */
const MAX_ATTEMPTS = 3;

/**
 * G6 when a message kills its consumer: the handler never returns, so nothing in the process can count
 * the failure after the fact. A supervisor (here: the test) restarts the process each time, like a
 * container runtime would; the loop must end with the message parked and alerted. With several
 * deliveries in flight (prefetch 10) the crash also kills the runs beside it; every redelivered message
 * then runs alone (IsolationGate), so later crashes are charged to the crasher only.
 */
describe.each([1, 10])('G6: a message that kills its consumer process (prefetch %i)', (prefetch) => {
  let ns: TestNamespace;
  let publisher: RawPublisher;
  const sink = new SmtpSink();
  const names = topologyNames(PREFIX);
  const queue = names.queue('crash-loop');

  beforeAll(async () => {
    ns = await createTestNamespace(`crash_loop_${prefetch}`);
    await createEffectTable(ns.database.url);
    await sink.start();
    publisher = await RawPublisher.open(ns.vhost.url);
  });

  afterAll(async () => {
    await publisher?.close();
    await sink.stop();
    await ns?.cleanup();
  });

  it('is parked and alerted after its attempts, every other message handled exactly once', async () => {
    const env = ns.env({ TOPOLOGY_PREFIX: PREFIX, SMTP_URL: sink.url, PREFETCH: String(prefetch) });
    let current: ChildApp | null = null;
    let crashes = 0;
    let supervising = true;
    // The supervisor: every death by SIGKILL is a crash and gets a fresh process.
    const supervisor = (async () => {
      while (supervising) {
        // Not waiting for "consuming": a redelivered crasher can kill the process before it says so.
        const child = startChild(FIXTURE, env);
        current = child;
        const exit = await child.exited;
        if (!supervising) break;
        if (exit !== 'SIGKILL')
          throw new Error(`consumer exited with ${exit}:\n${child.output().slice(-2000)}`);
        crashes++;
      }
    })();
    try {
      await waitFor(() => current !== null && /consuming/.test(current.output()), {
        what: 'the first consumer process',
        timeoutMs: 60_000,
      });
      await publisher.publishAll(
        Array.from({ length: TOTAL }, (_, i) => ({
          exchange: names.eventsExchange,
          routingKey: 'work.created',
          body: i === TOTAL / 2 ? { crash: true, seq: i } : { seq: i },
          messageId: i === TOTAL / 2 ? CRASHER : `m-${i}`,
        })),
      );

      const [parked] = await waitFor(
        () =>
          query<{ reason: string; queue: string }>(
            ns.database.url,
            'SELECT reason, queue FROM dead_letter WHERE message_id = ?',
            [CRASHER],
          ),
        { what: 'the crashing message parked', timeoutMs: 120_000 },
      );
      expect(parked).toEqual({ reason: 'attempts-exhausted', queue });
      await waitFor(() => sink.withSubject(new RegExp(`Message parked: attempts-exhausted on ${queue}`)), {
        what: 'the alert email',
      });

      // Every queue of the vhost: the work queue, its delayed-retry queues and its dead-letter queue.
      const queues = (
        (await managementApi(
          'GET',
          `/api/queues/${encodeURIComponent(ns.vhost.name)}?columns=name`,
        )) as Array<{
          name: string;
        }>
      ).map((q) => q.name);
      expect(queues).toEqual(expect.arrayContaining([queue, names.deadLetterQueue(queue)]));
      await waitForQuiescence(ns.vhost.name, queues, {
        what: 'every queue of the vhost idle',
        timeoutMs: 90_000,
      });
      const effects = await query<{ message_id: string; n: number }>(
        ns.database.url,
        'SELECT message_id, COUNT(*) AS n FROM test_effect GROUP BY message_id',
      );
      expect(effects.filter((e) => Number(e.n) !== 1)).toEqual([]);
      expect(effects.map((e) => e.message_id).sort()).toEqual(
        Array.from({ length: TOTAL }, (_, i) => `m-${i}`)
          .filter((id) => id !== `m-${TOTAL / 2}`)
          .sort(),
      );
      // Each crash was one started run of the crasher; the next delivery found its budget spent and
      // parked it. No other message was parked (above), none dead-lettered by the broker (below).
      expect(crashes).toBe(MAX_ATTEMPTS);
      expect(
        await query(ns.database.url, 'SELECT message_id FROM dead_letter WHERE message_id <> ?', [CRASHER]),
      ).toEqual([]);
      const dlq = (await managementApi(
        'GET',
        `/api/queues/${encodeURIComponent(ns.vhost.name)}/${encodeURIComponent(names.deadLetterQueue(queue))}`,
      )) as { messages: number };
      expect(dlq.messages).toBe(0);
    } finally {
      supervising = false;
      await (current as ChildApp | null)?.kill('SIGTERM');
      await supervisor.catch(() => undefined);
    }
  });
});
