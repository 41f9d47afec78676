import { EntityManager } from 'typeorm';
import { ConfirmedPublisher } from '@app/messaging/testing';
import { sleep, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { sqlQuery, useCollectingProbe, useRelayTestApp } from './relay-test-kit';

const ns = useTestNamespace('keyed_order');

describe('Relay per-key order (G5, publishing side)', () => {
  const { delivered, channel } = useCollectingProbe(ns, 'orders');
  // A 60 s poll: anything published promptly was woken by the post-commit hook.
  const { app, outbox, db } = useRelayTestApp(ns, { relay: { maxAttempts: 100, pollIntervalMs: 60_000 } });

  const seqsOf = (key: string) =>
    delivered
      .filter((r) => r.message.properties.headers?.['x-ordering-key'] === key)
      .map((r) => (r.body as { seq: number }).seq);

  /** One `order.updated` message of `key` to `orders` per seq, in the caller's transaction. */
  const addUpdates = async (manager: EntityManager, key: string, seqs: number[]) => {
    for (const seq of seqs) {
      await outbox.add(manager, { exchange: 'orders', routingKey: 'order.updated', key, payload: { seq } });
    }
  };

  it("holds a key's later messages behind an earlier one that keeps failing, without delaying other keys", async () => {
    await db.transaction(async (manager) => {
      // Message 1 of order-k goes to an exchange that does not exist yet: it fails and backs off.
      await outbox.add(manager, {
        exchange: 'late',
        routingKey: 'order.placed',
        key: 'order-k',
        payload: { seq: 1 },
      });
      await addUpdates(manager, 'order-k', [2, 3, 4, 5]);
      await addUpdates(manager, 'order-j', [1, 2, 3, 4, 5]);
    });
    await waitFor(() => seqsOf('order-j').length === 5, { what: "order-j's five messages" });
    await waitFor(
      async () =>
        (
          await sqlQuery<{ attempts: number }>(
            ns,
            "SELECT attempts FROM outbox_message WHERE exchange = 'late'",
          )
        )[0]?.attempts >= 3,
      { what: 'three failed attempts of order-k #1' },
    );
    expect(seqsOf('order-j')).toEqual([1, 2, 3, 4, 5]);
    expect(seqsOf('order-k')).toEqual([]);

    await channel().assertExchange('late', 'fanout', { durable: true });
    await channel().bindQueue('orders', 'late', '');
    await waitFor(() => seqsOf('order-k').length === 5, {
      what: "order-k's five messages",
      timeoutMs: 30_000,
    });
    expect(seqsOf('order-k')).toEqual([1, 2, 3, 4, 5]);
    expect(
      delivered.find((r) => r.message.properties.headers?.['x-ordering-key'] === 'order-k')?.message.fields,
    ).toMatchObject({ exchange: 'late', routingKey: 'order.placed' });
  }, 60_000);

  it('wakes the relay on commit and reports the median commit-to-ack latency', async () => {
    const publisher = app.get(ConfirmedPublisher);
    const acked = new Map<string, number>();
    const publish = publisher.publish.bind(publisher);
    // Observes the real publisher: records when each confirm arrived.
    publisher.publish = (message, tag, done) =>
      publish(message, tag, (failure, t) => {
        if (!failure) acked.set(message.messageId, performance.now());
        done(failure, t);
      });
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      const added = await db.transaction((manager) =>
        outbox.add(manager, { exchange: 'orders', routingKey: 'latency', payload: { i } }),
      );
      const committed = performance.now();
      const ackedAt = await waitFor(() => acked.get(added.messageId), {
        what: `message ${i} acked without waiting for the 60 s poll`,
        timeoutMs: 10_000,
        intervalMs: 1,
      });
      latencies.push(ackedAt - committed);
      await sleep(5);
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)];
    process.stdout.write(
      `post-commit wake: median commit-to-ack ${median.toFixed(2)} ms, p90 ${latencies[44].toFixed(2)} ms, max ${latencies[49].toFixed(2)} ms (n=50)\n`,
    );
    expect(latencies).toHaveLength(50);
  }, 60_000);
});
