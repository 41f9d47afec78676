import { join } from 'node:path';
import { topologyNames } from '@app/messaging';
import { createEffectTable, query } from '../consuming/effect-table';
import { RawPublisher } from '../consuming/raw-publisher';
import { ChildApp, startChild, waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';

jest.setTimeout(120_000);

const FIXTURE = join(__dirname, '..', 'consuming', 'fixtures', 'consumer-app.fixture.ts');
const PREFIX = 'sac';
const KEYS = 40;
const PER_KEY = 10;

interface Effect {
  ordering_key: string;
  seq: number;
  instance: string;
}

const ns = useTestNamespace('sac_failover');

describe('single active consumer failover of ordered partitions', () => {
  let publisher: RawPublisher;
  const effects = () =>
    query<Effect>(ns.database.url, 'SELECT ordering_key, seq, instance FROM test_effect ORDER BY id');

  beforeAll(async () => {
    await createEffectTable(ns.database.url);
    publisher = await RawPublisher.open(ns.vhost.url);
  });

  afterAll(async () => {
    await publisher?.close();
  });

  /** `run`: a message id prefix, so a second test's messages are not duplicates of the first's. */
  const publishRound = (round: number, run = '') =>
    publisher.publishAll(
      Array.from({ length: KEYS * PER_KEY }, (_, i) => {
        const key = `key-${i % KEYS}`;
        const seq = round * PER_KEY + Math.floor(i / KEYS) + 1;
        return {
          exchange: topologyNames(PREFIX).orderedExchange('orders'),
          routingKey: 'order.updated',
          body: { key, seq },
          messageId: `${run}${key}-${seq}`,
          orderingKey: key,
        };
      }),
    );

  it('hands the partitions of a killed instance to the standby, keeping per-key order', async () => {
    const env = ns.env({ TOPOLOGY_PREFIX: PREFIX, SUBSCRIPTION: 'ordered' });
    const apps: ChildApp[] = [];
    try {
      const active = startChild(FIXTURE, { ...env, INSTANCE: 'active' });
      apps.push(active);
      await active.waitForOutput(/consuming as active/, 60_000);
      const standby = startChild(FIXTURE, { ...env, INSTANCE: 'standby' });
      apps.push(standby);
      await standby.waitForOutput(/consuming as standby/, 60_000);

      await publishRound(0);
      await waitFor(async () => (await effects()).length === KEYS * PER_KEY, { what: 'round 1 handled' });
      expect(new Set((await effects()).map((e) => e.instance))).toEqual(new Set(['active']));

      await active.kill('SIGKILL');
      await publishRound(1);
      await waitFor(async () => (await effects()).length === 2 * KEYS * PER_KEY, {
        what: 'round 2 handled by the standby',
        timeoutMs: 60_000,
      });
      const all = await effects();
      expect(new Set(all.slice(KEYS * PER_KEY).map((e) => e.instance))).toEqual(new Set(['standby']));
      expectEveryKeyInOrder(all, 2 * PER_KEY);
    } finally {
      for (const app of apps) await app.kill('SIGKILL');
    }
  });

  it('mid-stream: many keys of a partition in flight when the active instance is killed', async () => {
    await query(ns.database.url, 'DELETE FROM test_effect');
    // Slow handlers of random length, so each partition has many keys in flight (prefetch 20) at the kill
    // and runs started in order would finish out of order if a key's runs overlapped.
    const env = ns.env({
      TOPOLOGY_PREFIX: PREFIX,
      SUBSCRIPTION: 'ordered',
      HANDLER_DELAY_MS: '20',
      HANDLER_DELAY_RANDOM: '1',
    });
    const apps: ChildApp[] = [];
    try {
      const active = startChild(FIXTURE, { ...env, INSTANCE: 'active-2' });
      apps.push(active);
      await active.waitForOutput(/consuming as active-2/, 60_000);
      const standby = startChild(FIXTURE, { ...env, INSTANCE: 'standby-2' });
      apps.push(standby);
      await standby.waitForOutput(/consuming as standby-2/, 60_000);

      await publishRound(0, 'mid-');
      await publishRound(1, 'mid-');
      await waitFor(async () => (await effects()).length >= (KEYS * PER_KEY) / 2, {
        what: 'a quarter of the stream handled',
      });
      await active.kill('SIGKILL');
      await waitFor(async () => (await effects()).length >= 2 * KEYS * PER_KEY, {
        what: 'the rest handled by the standby',
        timeoutMs: 60_000,
      });
      await waitForQuiescence(
        ns.vhost.name,
        Array.from({ length: 4 }, (_, i) => topologyNames(PREFIX).partitionQueue('orders', 'ordered', i)),
        { what: 'the partition queues idle', timeoutMs: 60_000 },
      );
      const all = await effects();
      const byInstance = new Map<string, number>();
      for (const e of all) byInstance.set(e.instance, (byInstance.get(e.instance) ?? 0) + 1);
      expect(byInstance.get('active-2')).toBeGreaterThan(0);
      expect(byInstance.get('standby-2')).toBeGreaterThan(0);
      // Nothing lost or doubled, every key in order across the hand-over.
      expect(all).toHaveLength(2 * KEYS * PER_KEY);
      expectEveryKeyInOrder(all, 2 * PER_KEY);
    } finally {
      for (const app of apps) await app.kill('SIGKILL');
    }
  });
});

function expectEveryKeyInOrder(all: Effect[], perKey: number): void {
  const seqsByKey = new Map<string, number[]>();
  for (const e of all) seqsByKey.set(e.ordering_key, [...(seqsByKey.get(e.ordering_key) ?? []), e.seq]);
  const expected = Array.from({ length: perKey }, (_, i) => i + 1);
  for (const [key, seqs] of seqsByKey) expect({ key, seqs }).toEqual({ key, seqs: expected });
  expect(seqsByKey.size).toBe(KEYS);
}
