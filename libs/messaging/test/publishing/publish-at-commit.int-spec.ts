import type { EntityManager } from 'typeorm';
import { CommittedRowsHandoff, OutboxClaims, OutboxRelay } from '@app/messaging/testing';
import { waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import {
  outboxDrained,
  sqlQuery,
  startMessagingApp,
  useCollectingProbe,
  useRelayTestApp,
} from './relay-test-kit';

interface LeaseRow {
  locked_by: string;
  locked_until?: Date | null;
  leased: number;
  sent_at: Date | null;
  created_at: Date;
}

const ns = useTestNamespace('commit-handoff');

/** ADR 0210: unkeyed rows are written leased to this process's relay and published after their commit. */
describe('Outbox relay: publishing unkeyed rows at commit, without a claim', () => {
  const { delivered } = useCollectingProbe(ns, 'orders');
  // Polls far apart: a claim in these tests comes from a wake-up, not from the resend job.
  const LEASE_MS = 2000;
  const { app, outbox, db } = useRelayTestApp(ns, { relay: { leaseMs: LEASE_MS, pollIntervalMs: 60_000 } });

  const rowOf = async (messageId: string) =>
    (
      await sqlQuery<LeaseRow>(
        ns,
        `SELECT locked_by, locked_until > UTC_TIMESTAMP(3) AS leased, sent_at, created_at
         FROM outbox_message WHERE message_id = ?`,
        [messageId],
      )
    )[0];
  const add = (manager: EntityManager, messageId: string, key?: string) =>
    outbox.add(manager, {
      exchange: 'orders',
      routingKey: 'order.placed',
      payload: { messageId },
      messageId,
      key,
    });
  const copiesOf = (messageId: string) => delivered.filter((r) => r.messageId === messageId).length;
  /** The row once it is marked sent. */
  const sentRow = (messageId: string, timeoutMs?: number) =>
    waitFor(
      async () => {
        const row = await rowOf(messageId);
        return row?.sent_at ? row : undefined;
      },
      { what: `${messageId} marked sent`, timeoutMs },
    );
  const quiet = () =>
    waitForQuiescence(ns.vhost.name, ['orders'], {
      what: 'the orders queue and the outbox quiet',
      idle: () => outboxDrained(ns),
    });

  /** Waits until the row is marked sent and the queue quiet, then checks it arrived exactly once. */
  const sentOnce = async (messageId: string, timeoutMs?: number) => {
    const row = await sentRow(messageId, timeoutMs);
    await quiet();
    expect(copiesOf(messageId)).toBe(1);
    return row;
  };
  /** Runs `body` from a quiet outbox with the relay's claims counted (the spy calls through). */
  const withClaimsCounted = async (body: (claims: () => number) => Promise<void>) => {
    await quiet();
    const spy = jest.spyOn(app.get(OutboxClaims), 'claim');
    try {
      await body(() => spy.mock.calls.length);
    } finally {
      spy.mockRestore();
    }
  };

  it('writes an unkeyed row leased to this relay and publishes it after the commit without a claim', () =>
    withClaimsCounted(async (claims) => {
      let duringTransaction: LeaseRow | undefined;
      await db.transaction(async (manager) => {
        await add(manager, 'at-commit-1');
        [duringTransaction] = await manager.query<LeaseRow[]>(
          `SELECT locked_by, locked_until > UTC_TIMESTAMP(3) AS leased FROM outbox_message WHERE message_id = ?`,
          ['at-commit-1'],
        );
      });
      expect(duringTransaction).toMatchObject({ locked_by: app.get(OutboxRelay).owner, leased: 1 });
      await sentOnce('at-commit-1');
      expect(claims()).toBe(0);
    }));

  it('leaves a keyed row unleased for a claim, which publishes it', () =>
    withClaimsCounted(async (claims) => {
      let duringTransaction: LeaseRow | undefined;
      await db.transaction(async (manager) => {
        await add(manager, 'keyed-1', 'order-1');
        [duringTransaction] = await manager.query<LeaseRow[]>(
          `SELECT locked_by, locked_until FROM outbox_message WHERE message_id = ?`,
          ['keyed-1'],
        );
      });
      // Unleased, yet both lease columns written, so that the claim's lease rewrites the row in place (ADR 0211).
      expect(duringTransaction).toEqual({
        locked_by: '',
        locked_until: new Date('1970-01-01T00:00:01.000Z'),
      });
      await sentOnce('keyed-1');
      expect(claims()).toBeGreaterThan(0);
    }));

  it('never publishes a row of a savepoint rolled back inside a transaction that commits', async () => {
    await db.transaction(async (manager) => {
      await add(manager, 'sp-outer-before');
      // Released savepoint: its row now belongs to the transaction and must go out.
      await manager.transaction((inner) => add(inner, 'sp-released'));
      // A sibling savepoint at the same depth, rolled back: only its own row is gone.
      await expect(
        manager.transaction(async (inner) => {
          await add(inner, 'sp-rolled-back');
          throw new Error('savepoint work failed');
        }),
      ).rejects.toThrow('savepoint work failed');
      await add(manager, 'sp-outer-after');
    });
    for (const id of ['sp-outer-before', 'sp-released', 'sp-outer-after']) {
      await sentRow(id);
    }
    await quiet();
    expect(await rowOf('sp-rolled-back')).toBeUndefined();
    expect(copiesOf('sp-rolled-back')).toBe(0);
    expect(['sp-outer-before', 'sp-released', 'sp-outer-after'].map(copiesOf)).toEqual([1, 1, 1]);
  });

  it('releases a row whose transaction outlived half the lease to the claims, and it is published once', () =>
    withClaimsCounted(async (claims) => {
      await db.transaction(async (manager) => {
        await add(manager, 'long-transaction');
        await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 2 + 200));
      });
      await sentOnce('long-transaction');
      expect(claims()).toBeGreaterThan(0);
    }));

  it('releases rows committed after the relay detached (shutting down) to the claims at once', async () => {
    await quiet();
    const handoff = app.get(CommittedRowsHandoff);
    const relay = app.get(OutboxRelay);
    try {
      await db.transaction(async (manager) => {
        await add(manager, 'after-detach');
        handoff.detach(relay);
      });
      const row = await sentOnce('after-detach');
      // Released, not left to expire: claimed well inside the lease.
      expect(row.sent_at!.getTime() - row.created_at.getTime()).toBeLessThan(LEASE_MS);
    } finally {
      handoff.attach(relay);
    }
  });

  it('leaves a row whose process died between commit and publish to its lease, then a relay publishes it once', async () => {
    await quiet();
    const handoff = app.get(CommittedRowsHandoff);
    const relay = app.get(OutboxRelay);
    const other = await startMessagingApp(ns, { relay: { leaseMs: LEASE_MS, pollIntervalMs: 200 } });
    // The database state such a death leaves: the row committed, leased to a process that never publishes.
    handoff.attach({
      leaseForNewRows: () => ({ owner: 'died-after-commit', leaseMs: LEASE_MS }),
      take: () => undefined,
    });
    try {
      await db.transaction((manager) => add(manager, 'orphaned-1'));
      expect(await rowOf('orphaned-1')).toMatchObject({ locked_by: 'died-after-commit', leased: 1 });
      const row = await sentOnce('orphaned-1', 15_000);
      expect(row.locked_by).toBe(other.get(OutboxRelay).owner);
      // Nobody took it while the lease held (database clock; 50 ms for the insert-to-created_at gap).
      expect(row.sent_at!.getTime() - row.created_at.getTime()).toBeGreaterThanOrEqual(LEASE_MS - 50);
    } finally {
      handoff.attach(relay);
      await other.close();
    }
  });
});
