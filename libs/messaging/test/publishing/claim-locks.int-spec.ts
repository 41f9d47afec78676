import type { INestApplicationContext } from '@nestjs/common';
import { createConnection } from 'mysql2/promise';
import { DataSource, type QueryRunner } from 'typeorm';
import { OutboxClaims } from '@app/messaging/testing';
import { useTestNamespace } from '../support/namespace-fixture';
import { countOutbox, seedOutbox, startMessagingApp } from './relay-test-kit';

const OWNER = 'claim-locks';
const BATCH = 500;
const LEASE_MS = 60_000;

const ns = useTestNamespace('claim_locks');

/**
 * A claim that continues after the relay's cursor (ClaimCursor, ADR 0205) must not lock the rows behind
 * it: those are the rows the relay holds leased and is about to mark sent, and a mark that waits for the
 * next claim's commit was the relay's lock wait, about one per claim (docs/databases.md). Left to choose,
 * MariaDB reads the claim index by its first two columns and keeps every entry it stepped over locked.
 */
describe('Claim row locks', () => {
  let app: INestApplicationContext | undefined;

  afterAll(async () => {
    await app?.close();
  });

  it('a claim after the cursor leaves the rows behind it free to be marked sent', async () => {
    app = await startMessagingApp(ns, { relay: { enabled: false } });
    const claims = app.get(OutboxClaims);
    const dataSource = app.get(DataSource);
    await seedOutbox(
      ns,
      Array.from({ length: 3 * BATCH }, (_, i) => ({ exchange: 'orders', payload: { i } })),
    );

    const first = await claims.claim(OWNER, BATCH, LEASE_MS);
    await first.leased;
    const firstIds = first.rows.map((r) => r.id);
    const cursor = firstIds.at(-1)!;

    // The second claim's transaction stays open (its lease UPDATE held back) while the first claim's
    // rows are marked sent, as the relay does beside its next claim.
    let openLease!: () => void;
    const leaseHeld = new Promise<void>((resolve) => (openLease = resolve));
    holdLeaseUpdate(dataSource, leaseHeld);
    const second = await claims.claim(OWNER, BATCH, LEASE_MS, cursor);
    try {
      expect(second.rows).toHaveLength(BATCH);
      expect(second.rows.every((r) => BigInt(r.id) > BigInt(cursor))).toBe(true);

      const marker = await createConnection({ uri: ns.database.url });
      try {
        // A blocked mark fails after 2 s (ER_LOCK_WAIT_TIMEOUT) instead of waiting for the claim.
        await marker.query('SET SESSION innodb_lock_wait_timeout = 2');
        const [result] = await marker.query(
          `UPDATE outbox_message SET sent_at = UTC_TIMESTAMP(3), locked_until = NULL WHERE id IN (${firstIds.join(',')})`,
        );
        expect((result as { affectedRows: number }).affectedRows).toBe(BATCH);
      } finally {
        await marker.end();
      }
    } finally {
      openLease();
      await second.leased;
    }
    expect(await countOutbox(ns, 'sent_at IS NOT NULL')).toBe(BATCH);
    expect(
      await countOutbox(ns, `sent_at IS NULL AND locked_by = '${OWNER}' AND locked_until > UTC_TIMESTAMP(3)`),
    ).toBe(BATCH);
  }, 60_000);
});

/** The next query runner's lease UPDATE waits for `until`: its claim transaction stays open until then. */
function holdLeaseUpdate(dataSource: DataSource, until: Promise<void>): void {
  const create = dataSource.createQueryRunner.bind(dataSource);
  jest.spyOn(dataSource, 'createQueryRunner').mockImplementationOnce((...args) => {
    const runner: QueryRunner = create(...args);
    const query = runner.query.bind(runner);
    runner.query = (async (sql: string, parameters?: unknown[]) => {
      if (/SET locked_by/.test(sql)) await until;
      return query(sql, parameters);
    }) as QueryRunner['query'];
    return runner;
  });
}
