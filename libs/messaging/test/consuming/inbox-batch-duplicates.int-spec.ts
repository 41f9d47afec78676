import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DUPLICATE_DELIVERY, InboxBatcher, ReliableDeliveryContext } from '@app/messaging/testing';
import { createMessagingApp } from '../support/messaging-app';
import { createEffectTable, effectIdsOf } from './effect-table';
import { useTestNamespace } from '../support/namespace-fixture';

jest.setTimeout(60_000);

const ns = useTestNamespace('inboxdup');

/**
 * The batcher on its own, against the real database: what a batch does with the same message twice,
 * with a message already in the inbox, and with a concurrent batch (another process) sharing ids.
 */
describe('inbox group commit: duplicates', () => {
  let app: INestApplication;
  let db: DataSource;
  /** The EntityManager each handler run got, by message id: one manager = one batch transaction. */
  const managers: Array<{ id: string; manager: object }> = [];

  const delivery = (consumer: string, id: string) =>
    new ReliableDeliveryContext({
      consumer,
      queue: 'q',
      messageId: id,
      routingKey: 'rk',
      headers: {},
      redelivered: false,
      redisMode: 'required',
    });
  const effect = (consumer: string, id: string, delayMs = 0) => {
    const context = delivery(consumer, id);
    return {
      context,
      handler: async () => {
        managers.push({ id, manager: context.manager! });
        if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await context.manager!.query('INSERT INTO test_effect (consumer, message_id) VALUES (?, ?)', [
          consumer,
          id,
        ]);
        return `applied ${id}`;
      },
    };
  };
  const runAll = (batcher: InboxBatcher, runs: Array<ReturnType<typeof effect>>) =>
    Promise.all(runs.map(({ context, handler }) => batcher.run(context, handler)));
  const effects = (consumer: string) => effectIdsOf(ns.database.url, consumer);
  const managerOf = (id: string) => managers.find((m) => m.id === id)?.manager;

  beforeAll(async () => {
    await createEffectTable(ns.database.url);
    app = await createMessagingApp(ns.options({ relay: { enabled: false } }), { logger: ['error'] });
    await app.init();
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('applies a message that is twice in one batch once; the second copy is a duplicate', async () => {
    const batcher = new InboxBatcher(db, { lingerMs: 50, maxSize: 10, concurrency: 1 });
    const results = await runAll(batcher, [
      effect('twice', 'm1'),
      effect('twice', 'm1'),
      effect('twice', 'm2'),
    ]);
    expect(results).toEqual(['applied m1', DUPLICATE_DELIVERY, 'applied m2']);
    expect(await effects('twice')).toEqual(['m1', 'm2']);
    expect(managerOf('m1')).toBe(managerOf('m2'));
  });

  it('skips a message whose inbox row exists and commits the rest of its batch once', async () => {
    await db.query(
      "INSERT INTO inbox_message (consumer, message_id, handled_at) VALUES ('old', 'seen', NOW(3))",
    );
    const batcher = new InboxBatcher(db, { lingerMs: 50, maxSize: 10, concurrency: 1 });
    const results = await runAll(batcher, [effect('old', 'n1'), effect('old', 'seen'), effect('old', 'n2')]);
    expect(results).toEqual(['applied n1', DUPLICATE_DELIVERY, 'applied n2']);
    expect(await effects('old')).toEqual(['n1', 'n2']);
    expect(managerOf('n1')).toBe(managerOf('n2'));
  });

  it('never runs a message twice when two batchers (two processes) take the same ids at once', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const first = new InboxBatcher(db, { lingerMs: 20, maxSize: 10, concurrency: 1 });
    const second = new InboxBatcher(db, { lingerMs: 20, maxSize: 10, concurrency: 1 });
    const [a, b] = await Promise.all([
      runAll(
        first,
        ids.map((id) => effect('racing', id, 10)),
      ),
      runAll(
        second,
        [...ids].reverse().map((id) => effect('racing', id, 10)),
      ),
    ]);
    const applied = [...a, ...b].filter((r) => r !== DUPLICATE_DELIVERY);
    expect(applied.sort()).toEqual(ids.map((id) => `applied ${id}`).sort());
    expect(await effects('racing')).toEqual([...ids].sort());
  });
});
