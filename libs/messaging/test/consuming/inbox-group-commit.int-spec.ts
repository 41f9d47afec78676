import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeliveryContext, MessagingMetrics, ReliableSubscribe, topologyNames } from '@app/messaging/testing';
import { queuesIdle, waitFor, waitForSteady } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { useConsumingApp } from '../support/messaging-app';
import { createEffectTable, effectIdsOf, query } from './effect-table';
import { useRawPublisher } from './raw-publisher';

jest.setTimeout(60_000);

const PREFIX = 'groupcommit';
const names = topologyNames(PREFIX);
/** Long enough for a burst published at once to meet in one batch on a loaded machine. */
const LINGER_MS = 100;

/**
 * Every handler run (committed or not): its transaction (numbered by the EntityManager handed to it: a
 * batch transaction has its own query runner, so its own manager) and its MySQL connection.
 */
const runs: Array<{ messageId: string; trx: number; connection: number }> = [];
const transactions = new WeakMap<object, number>();
let killed = false;
/** Deliveries of the killed batch's queue settled when its connection was killed. */
let settledAtKill = -1;
/** Messages of that queue that had run in earlier (committed) transactions by then. */
let committedBeforeKill = -1;
let db: DataSource;
let settledOf: (queue: string) => Promise<number>;

async function runInBatch(payload: { fail?: boolean; kill?: boolean }, context: DeliveryContext) {
  const manager = context.manager!;
  await manager.query('INSERT INTO test_effect (consumer, message_id) VALUES (?, ?)', [
    context.consumer,
    context.messageId,
  ]);
  const [row] = await manager.query<Array<{ connection: number }>>('SELECT CONNECTION_ID() AS connection');
  if (!transactions.has(manager)) transactions.set(manager, runs.length);
  runs.push({
    messageId: context.messageId,
    trx: transactions.get(manager)!,
    connection: Number(row.connection),
  });
  if (payload.fail) throw new Error('cannot apply this one');
  if (payload.kill && !killed) {
    killed = true;
    // From another connection: the batch's connection dies after its handlers ran, before its COMMIT.
    await db.query(`KILL ${Number(row.connection)}`);
    settledAtKill = await settledOf(context.queue);
    const current = transactions.get(manager);
    committedBeforeKill = new Set(
      runs.filter((r) => r.trx !== current && r.messageId.startsWith('killed-')).map((r) => r.messageId),
    ).size;
  }
}

@Injectable()
class BatchHandlers {
  @ReliableSubscribe({
    consumer: 'mixed',
    routingKey: 'mixed.*',
    inbox: true,
    inboxBatch: { lingerMs: LINGER_MS },
    prefetch: 20,
  })
  async mixed(payload: { fail?: boolean }, context: DeliveryContext): Promise<void> {
    await runInBatch(payload, context);
  }

  @ReliableSubscribe({
    consumer: 'killed',
    routingKey: 'killed.*',
    inbox: true,
    inboxBatch: { lingerMs: LINGER_MS, concurrency: 1 },
    prefetch: 20,
  })
  async killed(payload: { kill?: boolean }, context: DeliveryContext): Promise<void> {
    await runInBatch(payload, context);
  }
}

const ns = useTestNamespace('groupcommit');

describe('inbox group commit (one transaction for the deliveries ready together)', () => {
  beforeAll(() => createEffectTable(ns.database.url));
  const app = useConsumingApp(
    ns,
    { providers: [BatchHandlers], logger: ['error'] },
    {
      serviceName: 'group-commit-test',
      topology: { prefix: PREFIX },
      consuming: { retryDelaysMs: [200, 400] },
      relay: { enabled: false },
    },
  );
  const publisher = useRawPublisher(ns);

  const publishBurst = (consumer: string, bodies: Array<{ id: string; body: object }>) =>
    publisher.publishAll(
      bodies.map(({ id, body }) => ({
        exchange: names.eventsExchange,
        routingKey: `${consumer}.created`,
        body,
        messageId: id,
      })),
    );
  const effects = (consumer: string) => effectIdsOf(ns.database.url, consumer);
  const inboxRows = async (consumer: string) =>
    (
      await query<{ message_id: string }>(
        ns.database.url,
        'SELECT message_id FROM inbox_message WHERE consumer = ? ORDER BY message_id',
        [consumer],
      )
    ).map((r) => r.message_id);
  const settled = async (queue: string, result?: string) => {
    const { values } = await app.get(MessagingMetrics).consumed.get();
    return values
      .filter((v) => v.labels.queue === queue && (!result || v.labels.result === result))
      .reduce((sum, v) => sum + v.value, 0);
  };
  const runsOf = (id: string) => runs.filter((r) => r.messageId === id);

  beforeAll(() => {
    db = app.get(DataSource);
    settledOf = (queue) => settled(queue);
  });

  it('commits the others of a batch once while the thrower is retried and parked alone', async () => {
    const good = Array.from({ length: 8 }, (_, i) => `mixed-${i}`);
    await publishBurst('mixed', [
      ...good.slice(0, 4).map((id) => ({ id, body: {} })),
      { id: 'mixed-thrower', body: { fail: true } },
      ...good.slice(4).map((id) => ({ id, body: {} })),
    ]);
    await waitFor(async () => (await settled(names.queue('mixed'), 'parked')) === 1, {
      what: 'the thrower parked',
    });
    await waitFor(async () => (await settled(names.queue('mixed'), 'handled')) === good.length, {
      what: 'the good messages handled',
    });
    // Batches formed: fewer transactions than messages, and the thrower's first run shared one.
    const firstTrx = runsOf('mixed-thrower')[0].trx;
    expect(runs.filter((r) => r.trx === firstTrx && r.messageId !== 'mixed-thrower').length).toBeGreaterThan(
      0,
    );
    const mixedRuns = runs.filter((r) => r.messageId.startsWith('mixed-'));
    expect(new Set(mixedRuns.map((r) => r.trx)).size).toBeLessThan(good.length + 1);
    // Its own effect and inbox row were rolled back three times; everyone else's committed once.
    expect(runsOf('mixed-thrower')).toHaveLength(3);
    expect(await effects('mixed')).toEqual([...good].sort());
    expect(await inboxRows('mixed')).toEqual([...good].sort());
    const parked = await query<{ message_id: string; attempts: number; reason: string }>(
      ns.database.url,
      "SELECT message_id, attempts, reason FROM dead_letter WHERE consumer = 'mixed'",
    );
    expect(parked).toEqual([{ message_id: 'mixed-thrower', attempts: 3, reason: 'handler-error' }]);
  });

  it('acks nothing of a batch whose connection is killed before COMMIT; each message applies once', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `killed-${i}`);
    await publishBurst('killed', [
      ...ids.slice(0, 9).map((id) => ({ id, body: {} })),
      { id: ids[9], body: { kill: true } },
    ]);
    await waitFor(async () => (await settled(names.queue('killed'), 'handled')) === ids.length, {
      what: 'all ten handled',
    });
    await waitForSteady(() => queuesIdle(ns.vhost.name, [names.queue('killed')]), {
      what: 'the killed queue quiet',
    });
    expect(killed).toBe(true);
    // Its batch-mates' handlers had returned long before, yet none of their deliveries was acked: only
    // messages of earlier, committed batches were.
    expect(settledAtKill).toBe(committedBeforeKill);
    // The messages that shared the killed transaction ran again in a new one.
    const killedTrx = runsOf(ids[9])[0].trx;
    const inKilled = runs.filter((r) => r.trx === killedTrx);
    const victims = [...new Set(inKilled.map((r) => r.messageId))];
    expect(victims.length).toBeGreaterThan(1);
    for (const id of victims) expect(runsOf(id).length).toBeGreaterThanOrEqual(2);
    expect(await effects('killed')).toEqual([...ids].sort());
    expect(await inboxRows('killed')).toEqual([...ids].sort());
    expect(await settled(names.queue('killed'))).toBe(ids.length);
  });
});
