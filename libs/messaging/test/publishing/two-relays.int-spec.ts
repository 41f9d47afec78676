import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import {
  distinct,
  outboxDrained,
  seedOutbox,
  sqlQuery,
  useCollectingProbe,
  useRelayProcesses,
} from './relay-test-kit';

const PARTITIONS = 8;
const KEYS = 200;
const PER_KEY = 25;
const UNKEYED = 5000;

const ns = useTestNamespace('two_relays');

describe('Two relay processes on one outbox table', () => {
  const { delivered } = useCollectingProbe(ns, 'orders');
  const relays = useRelayProcesses(ns);

  it('publishes 10,000 rows once each, a keyed partition by one owner, every key in order', async () => {
    for (const owner of ['relay-a', 'relay-b']) {
      await relays.start({
        RELAY_OWNER: owner,
        RELAY_PARTITIONS: String(PARTITIONS),
        RELAY_BATCH_SIZE: '200',
      });
    }
    await waitFor(
      async () => {
        const owners = await sqlQuery<{ owner: string; n: number }>(
          ns,
          'SELECT owner, COUNT(*) AS n FROM outbox_partition_lease WHERE lease_until > UTC_TIMESTAMP(3) GROUP BY owner',
        );
        return owners.length === 2 && owners.every((o) => Number(o.n) === PARTITIONS / 2);
      },
      { what: 'the partitions split 4/4 between the relays', timeoutMs: 30_000 },
    );

    // Keyed and unkeyed rows interleaved at random; each key's seq follows insertion (= id) order.
    const slots = [
      ...Array.from({ length: KEYS * PER_KEY }, (_, i) => `order-${i % KEYS}`),
      ...Array.from({ length: UNKEYED }, () => null),
    ].sort(() => Math.random() - 0.5);
    const nextSeq = new Map<string, number>();
    const rows = slots.map((key, i) => {
      if (key === null) return { exchange: 'orders', payload: { i } };
      const seq = (nextSeq.get(key) ?? 0) + 1;
      nextSeq.set(key, seq);
      return { exchange: 'orders', key, payload: { key, seq } };
    });
    await seedOutbox(ns, rows, PARTITIONS);

    const total = KEYS * PER_KEY + UNKEYED;
    await waitFor(() => delivered.length >= total, { what: `${total} deliveries`, timeoutMs: 90_000 });
    // A delivery can overtake the write that marks its row sent: wait for the marks too.
    await waitFor(() => outboxDrained(ns), { what: 'no row left pending' });
    expect(distinct(delivered)).toBe(total);
    expect(delivered).toHaveLength(total);

    const seqs = new Map<string, number[]>();
    for (const r of delivered) {
      const body = r.body as { key?: string; seq?: number };
      if (body.key) seqs.set(body.key, [...(seqs.get(body.key) ?? []), body.seq!]);
    }
    const inOrder = Array.from({ length: PER_KEY }, (_, i) => i + 1);
    for (const [, got] of seqs) expect(got).toEqual(inOrder);

    const publishers = await sqlQuery<{ p: number; owners: number }>(
      ns,
      'SELECT `partition` AS p, COUNT(DISTINCT locked_by) AS owners FROM outbox_message WHERE `partition` IS NOT NULL GROUP BY `partition`',
    );
    expect(publishers).toHaveLength(PARTITIONS);
    for (const row of publishers) expect(Number(row.owners)).toBe(1);
    const shares = await sqlQuery<{ owner: string; n: number }>(
      ns,
      'SELECT locked_by AS owner, COUNT(*) AS n FROM outbox_message GROUP BY locked_by',
    );
    expect(shares.map((s) => s.owner).sort()).toEqual(['relay-a', 'relay-b']);
  }, 180_000);
});
