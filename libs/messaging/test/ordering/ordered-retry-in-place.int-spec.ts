import { Injectable } from '@nestjs/common';
import { DeliveryContext, ReliableSubscribe, topologyNames } from '@app/messaging/testing';
import { query } from '../consuming/effect-table';
import { FAST_PARTITIONS, FAST_RELAY } from '../publishing/relay-test-kit';
import { useOpened } from '../support/block-fixture';
import { useConsumingApp } from '../support/messaging-app';
import {
  effects,
  keyName,
  orderReport,
  OrderedWriter,
  RELAY_PARTITIONS,
  STREAM,
  useOrderingNamespace,
  waitForQuiet,
} from './ordering-test-kit';

const PREFIX = 'ordering';
const KEYS = 200;
const PER_KEY = 50;
const TOTAL = KEYS * PER_KEY;
const FAILING_KEY = keyName(7);
const FAILING_SEQ = 10;
const FAILURES = 2;
/** In-place backoff 500 ms then 1,000 ms: a window wide enough to see what other keys do meanwhile. */
const BACKOFF_BASE_MS = 500;
const PARTITIONS = Array.from({ length: 4 }, (_, i) =>
  topologyNames(PREFIX).partitionQueue(STREAM, 'ordered', i),
);

interface Run {
  key: string;
  seq: number;
  attempt: number;
  queue: string;
  outcome: 'failed' | 'handled';
  at: number;
}

/** Every handler run in the order it happened (one process: a total order). */
const runs: Run[] = [];

@Injectable()
class LedgerHandler {
  @ReliableSubscribe({
    consumer: 'ordered',
    routingKey: '#',
    ordered: { stream: STREAM },
    inbox: true,
    prefetch: 20,
    retry: { maxAttempts: 3, backoffBaseMs: BACKOFF_BASE_MS },
  })
  async handle(payload: { key: string; seq: number }, context: DeliveryContext): Promise<void> {
    const run = { ...payload, attempt: context.attempt, queue: context.queue, at: performance.now() };
    if (payload.key === FAILING_KEY && payload.seq === FAILING_SEQ && context.attempt <= FAILURES) {
      runs.push({ ...run, outcome: 'failed' });
      throw new Error(`transient failure ${context.attempt} of ${FAILING_KEY}#${FAILING_SEQ}`);
    }
    await context.manager!.query(
      'INSERT INTO test_effect (consumer, message_id, ordering_key, seq, instance) VALUES (?, ?, ?, ?, ?)',
      [context.consumer, context.messageId, payload.key, payload.seq, `attempt-${context.attempt}`],
    );
    runs.push({ ...run, outcome: 'handled' });
  }
}

const ns = useOrderingNamespace('ordered_retry');

describe('an ordered message that fails twice, then succeeds', () => {
  const app = useConsumingApp(
    ns,
    { providers: [LedgerHandler], logger: ['error'] },
    {
      serviceName: 'ordering-consumer',
      topology: { prefix: PREFIX },
      relay: FAST_RELAY,
      relayPartitions: { ...FAST_PARTITIONS, count: RELAY_PARTITIONS },
    },
  );
  const writer = useOpened('the ordered writer', () => OrderedWriter.on(app));

  it('is retried in place: its successors wait behind it, other keys of its partition keep flowing', async () => {
    await writer.writeRounds(KEYS, PER_KEY);
    await waitForQuiet(ns, PREFIX, TOTAL);

    // Effect order: every key 1..50 exactly once, the failing key's 10 committed on its third run.
    const report = orderReport(await effects(ns), PER_KEY);
    expect(report).toMatchObject({ rows: TOTAL, distinctMessages: TOTAL, keys: KEYS, keysInOrder: KEYS });
    expect(report.seqsByKey.get(FAILING_KEY)).toEqual(Array.from({ length: PER_KEY }, (_, i) => i + 1));
    expect(report.byInstance).toEqual({ 'attempt-1': TOTAL - 1, [`attempt-${FAILURES + 1}`]: 1 });
    expect(await query(ns.database.url, 'SELECT id FROM dead_letter')).toEqual([]);

    // The wait, as the handler saw it: from the first failed run of 10 to its successful run.
    const first = runs.findIndex((r) => r.key === FAILING_KEY && r.outcome === 'failed');
    const success = runs.findIndex(
      (r) => r.key === FAILING_KEY && r.seq === FAILING_SEQ && r.outcome === 'handled',
    );
    const failingQueue = runs[first].queue;
    const during = runs.slice(first + 1, success);
    const othersDuring = during.filter((r) => r.key !== FAILING_KEY);
    const handledDuring = new Map(
      PARTITIONS.map((q) => [q, othersDuring.filter((r) => r.queue === q).length]),
    );
    const sameQueueKeys = new Set(othersDuring.filter((r) => r.queue === failingQueue).map((r) => r.key));
    const waitedMs = runs[success].at - runs[first].at;
    console.log(
      `retry in place: ${FAILING_KEY}#${FAILING_SEQ} on ${failingQueue} waited ${Math.round(waitedMs)} ms ` +
        `(backoff ${BACKOFF_BASE_MS} + ${2 * BACKOFF_BASE_MS} ms); handled meanwhile per partition ` +
        `${JSON.stringify(Object.fromEntries(handledDuring))} (${sameQueueKeys.size} other keys of its partition, ` +
        `first at +${Math.round((othersDuring.find((r) => r.queue === failingQueue)?.at ?? NaN) - runs[first].at)} ms)`,
    );

    // Its key: one delivery retried in place after its backoff (500 + 1,000 ms); nothing of the key
    // (not its successors) ran meanwhile, and 11 ran only after 10 succeeded.
    expect(during.filter((r) => r.key === FAILING_KEY)).toEqual([
      expect.objectContaining({ seq: FAILING_SEQ, attempt: 2, outcome: 'failed' }),
    ]);
    expect(waitedMs).toBeGreaterThanOrEqual(3 * BACKOFF_BASE_MS - 50);
    const next = runs.findIndex((r) => r.key === FAILING_KEY && r.seq === FAILING_SEQ + 1);
    expect(next).toBeGreaterThan(success);
    // Other keys of the very same partition queue kept flowing during the wait (ADR 0208), as did the
    // keys of every other partition.
    for (const queue of PARTITIONS) {
      expect({ queue, handledDuringTheWait: (handledDuring.get(queue) ?? 0) > 0 }).toEqual({
        queue,
        handledDuringTheWait: true,
      });
    }
    expect(sameQueueKeys.size).toBeGreaterThan(1);
  }, 300_000); // 10,000 messages through the inbox took past the default 120 s beside other suites.
});
