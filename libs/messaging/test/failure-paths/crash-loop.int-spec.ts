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
 * container runtime would; the loop must end with the message parked and alerted.
 */
describe('G6: a message that kills its consumer process', () => {
  let ns: TestNamespace;
  let publisher: RawPublisher;
  const sink = new SmtpSink();
  const names = topologyNames(PREFIX);
  const queue = names.queue('crash-loop');

  beforeAll(async () => {
    ns = await createTestNamespace('crash_loop');
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
    // One delivery at a time: each crash is charged to the message that caused it alone (see below).
    const env = ns.env({ TOPOLOGY_PREFIX: PREFIX, SMTP_URL: sink.url, PREFETCH: '1' });
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
      // Each crash was one started run; the next delivery found the budget spent and parked it.
      expect(crashes).toBe(MAX_ATTEMPTS);
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

  // Known defect, not yet fixed: with several deliveries in flight, a crash counts a started run against
  // every one of them, so after the crasher's three crashes the messages that happened to be in flight
  // beside it each time are parked too (`attempts-exhausted`; seen: 4 innocent messages with prefetch 10).
  // Unskip with PREFETCH 10 once a crash is charged to the crasher alone (e.g. suspects run in isolation).
  it.skip('parks only the crasher when other deliveries were in flight beside it (prefetch 10)', () =>
    undefined);
});
