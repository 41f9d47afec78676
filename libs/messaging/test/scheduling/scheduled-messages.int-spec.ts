import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxService, ScheduledMessages, ScheduleOptions } from '@app/messaging/testing';
import { waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { BrokerProbe, sqlQuery, startMessagingApp } from '../publishing/relay-test-kit';

interface Arrival {
  messageId: string;
  body: { n?: number; tag?: string };
  at: number;
}

const QUEUE = 'scheduled';

const ns = useTestNamespace('scheduling');

describe('Scheduled messages through the outbox (ADR 0301)', () => {
  let app: INestApplicationContext;
  let broker: BrokerProbe;
  const arrivals: Arrival[] = [];

  beforeAll(async () => {
    broker = await BrokerProbe.open(ns);
    await broker.exchangeWithQueue(QUEUE);
    await broker.channel.consume(QUEUE, (message) => {
      if (!message) return;
      arrivals.push({
        messageId: String(message.properties.messageId),
        body: JSON.parse(message.content.toString('utf8')) as Arrival['body'],
        at: Date.now(),
      });
      broker.channel.ack(message);
    });
    app = await startMessagingApp(ns);
  });

  afterAll(async () => {
    await app?.close();
    await broker?.close();
  });

  const add = (
    app: INestApplicationContext,
    body: Arrival['body'],
    schedule?: ScheduleOptions,
    key?: string,
  ) =>
    app
      .get(DataSource)
      .transaction((manager) =>
        app
          .get(OutboxService)
          .add(manager, { exchange: QUEUE, routingKey: 'r', payload: body, key }, schedule),
      );
  const arrivalsOf = (messageId: string) => arrivals.filter((a) => a.messageId === messageId);
  const outboxDrained = async () =>
    (await sqlQuery<{ n: number }>(ns, 'SELECT COUNT(*) AS n FROM outbox_message WHERE sent_at IS NULL'))[0]
      .n == 0;
  const quiet = (what: string) =>
    waitForQuiescence(ns.vhost.name, [QUEUE], { what, idle: outboxDrained, timeoutMs: 30_000 });

  it('delivers a message scheduled 3 s ahead once, not before it is due, across a relay restart', async () => {
    const row = await add(app, { tag: 'restart' }, { delayMs: 3000 });
    const dueAt = row.deliverAt!.getTime();
    expect(row.held).toBe(true);
    await app.close();
    app = await startMessagingApp(ns);

    const [arrival] = await waitFor(() => arrivalsOf(row.messageId), {
      what: 'the scheduled message after the restart',
      timeoutMs: 15_000,
    });
    expect(arrival.at).toBeGreaterThanOrEqual(dueAt);
    expect(arrival.at - dueAt).toBeLessThan(2000);
    await quiet('the queue after the scheduled delivery');
    expect(arrivalsOf(row.messageId)).toHaveLength(1);
  }, 60_000);

  it('never delivers a message cancelled before it is due, and lists it until then', async () => {
    const row = await add(app, { tag: 'cancelled' }, { deliverAt: new Date(Date.now() + 2000) });
    const scheduled = app.get(ScheduledMessages);
    expect((await scheduled.list(100)).map((s) => s.messageId)).toContain(row.messageId);
    expect(await scheduled.cancel(row.id)).toMatchObject({ messageId: row.messageId });
    expect(await scheduled.cancel(row.id)).toBeNull();

    const marker = await add(
      app,
      { tag: 'after-due' },
      { deliverAt: new Date(row.deliverAt!.getTime() + 500) },
    );
    await waitFor(() => arrivalsOf(marker.messageId), { what: 'a message due after the cancelled one' });
    await quiet('the queue after the cancelled message was due');
    expect(arrivalsOf(row.messageId)).toHaveLength(0);
    expect(await scheduled.list(100)).toEqual([]);
  }, 60_000);

  it('delivers 1,000 messages due within one second, each within a few seconds of its due time', async () => {
    // Far enough ahead that the 1,000 inserts commit before the first is due, also on a loaded machine
    // (4 s was not enough beside other suites); lateness is measured from each message's due time.
    const base = Date.now() + 12_000;
    const rows = await app.get(DataSource).transaction(async (manager) => {
      const added = [];
      for (let n = 0; n < 1000; n++) {
        added.push(
          await app
            .get(OutboxService)
            .add(
              manager,
              { exchange: QUEUE, routingKey: 'r', payload: { n } },
              { deliverAt: new Date(base + n) },
            ),
        );
      }
      return added;
    });
    expect(Date.now()).toBeLessThan(base);
    const ids = new Set(rows.map((r) => r.messageId));
    await waitFor(() => arrivals.filter((a) => ids.has(a.messageId)).length === 1000, {
      what: '1,000 scheduled messages',
      timeoutMs: 30_000,
    });
    const lateness = rows.map((r) => arrivalsOf(r.messageId)[0].at - r.deliverAt!.getTime());
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThan(3000);
    await quiet('the queue after the 1,000');
    expect(arrivals.filter((a) => ids.has(a.messageId))).toHaveLength(1000);
  }, 90_000);

  it('never lets a later message of a key overtake an earlier scheduled one; other keys go ahead', async () => {
    const first = await add(app, { tag: 'k1-scheduled' }, { delayMs: 2000 }, 'k1');
    const second = await add(app, { tag: 'k1-immediate' }, undefined, 'k1');
    const other = await add(app, { tag: 'k2-immediate' }, undefined, 'k2');

    await waitFor(() => arrivalsOf(second.messageId), { what: 'the later message of k1', timeoutMs: 15_000 });
    const [a, b, c] = [first, second, other].map((r) => arrivalsOf(r.messageId)[0]);
    expect(a.at).toBeGreaterThanOrEqual(first.deliverAt!.getTime());
    expect(arrivals.indexOf(a)).toBeLessThan(arrivals.indexOf(b));
    expect(c.at).toBeLessThan(first.deliverAt!.getTime());
  }, 60_000);
});
