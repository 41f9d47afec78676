import { join } from 'node:path';
import { topologyNames } from '@app/messaging';
import { createEffectTable, query } from '../consuming/effect-table';
import { RawPublisher } from '../consuming/raw-publisher';
import { ChildApp, createTestNamespace, startChild, TestNamespace, waitFor } from '../support';

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

describe('single active consumer failover of ordered partitions', () => {
  let ns: TestNamespace;
  let publisher: RawPublisher;
  const effects = () =>
    query<Effect>(ns.database.url, 'SELECT ordering_key, seq, instance FROM test_effect ORDER BY id');

  beforeAll(async () => {
    ns = await createTestNamespace('sac_failover');
    await createEffectTable(ns.database.url);
    publisher = await RawPublisher.open(ns.vhost.url);
  });

  afterAll(async () => {
    await publisher?.close();
    await ns?.cleanup();
  });

  const publishRound = (round: number) =>
    publisher.publishAll(
      Array.from({ length: KEYS * PER_KEY }, (_, i) => {
        const key = `key-${i % KEYS}`;
        const seq = round * PER_KEY + Math.floor(i / KEYS) + 1;
        return {
          exchange: topologyNames(PREFIX).orderedExchange('orders'),
          routingKey: 'order.updated',
          body: { key, seq },
          messageId: `${key}-${seq}`,
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
      const perKey = new Map<string, number[]>();
      for (const e of all) perKey.set(e.ordering_key, [...(perKey.get(e.ordering_key) ?? []), e.seq]);
      const expected = Array.from({ length: 2 * PER_KEY }, (_, i) => i + 1);
      for (const [, seqs] of perKey) expect(seqs).toEqual(expected);
      expect(perKey.size).toBe(KEYS);
    } finally {
      for (const app of apps) await app.kill('SIGKILL');
    }
  });
});
