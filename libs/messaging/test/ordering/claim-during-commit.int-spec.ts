import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { OutboxClaims } from '@app/messaging/testing';
import { useTestNamespace } from '../support/namespace-fixture';
import { sqlQuery, startMessagingApp } from '../publishing/relay-test-kit';

const KEYS = 300;
const PER_KEY = 3;
/** Unkeyed rows around each key's rows: a longer INSERT and a longer claim scan, a wider window. */
const FILLER = 60;
const OWNER = 'claim-race';
/** Rows of a key whose first row is held (scheduled): never claimable, but every claim scans them. */
const BLOCKED = 5000;

const INSERT_ROWS =
  'INSERT INTO outbox_message (message_id, exchange, routing_key, partition_key, `partition`, payload, headers, next_attempt_at, created_at) VALUES ?';

const ns = useTestNamespace('claim_during_commit');

/**
 * A writer commits several rows of one key at once while claims run (ADR 0100, docs/ordering.md). A
 * claim statement whose scan overlaps that commit sees the key's rows with its locking read, but its
 * NOT EXISTS subquery reads an older snapshot: without the second check in `OutboxClaims.claim` it
 * returned a key's later rows with the first still unsent (beside it, or alone when the writer still
 * held the first row as the scan passed it). A race, so the test runs 300 commits against a claim
 * loop, each commit's rows in the table for a few ms before it; without the check it failed 5 runs of 5.
 */
describe('Claims while rows of one key commit', () => {
  let app: INestApplicationContext | undefined;

  afterAll(async () => {
    await app?.close();
  });

  it('never claims a keyed row while an earlier row of its key is unsent', async () => {
    app = await startMessagingApp(ns, { relay: { enabled: false } });
    const claims = app.get(OutboxClaims);
    await sqlQuery(
      ns,
      'INSERT INTO outbox_partition_lease (`partition`, owner, lease_until) VALUES (0, ?, UTC_TIMESTAMP(3) + INTERVAL 1 HOUR)',
      [OWNER],
    );

    const writer = await createConnection({ uri: ns.database.url, timezone: 'Z' });
    // First in id order, so each claim runs its NOT EXISTS subquery (and takes its snapshot) at once and
    // then scans for a while: nearly every claim overlaps one of the writer's commits.
    const blocked = Array.from({ length: BLOCKED }, (_, i) => keyed('blocked', i + 1));
    await writer.query(INSERT_ROWS, [blocked]);
    await writer.query(
      "UPDATE outbox_message SET held = 1 WHERE partition_key = 'blocked' ORDER BY id LIMIT 1",
    );
    let written = false;
    const writing = (async () => {
      try {
        for (let k = 0; k < KEYS; k++) {
          // One transaction, its rows in the table a moment before it commits, as a business
          // transaction's are: a claim that starts meanwhile takes its snapshot without them and, past
          // the blocked rows, reaches them after the commit.
          const rows: unknown[][] = [];
          for (let i = 0; i < FILLER; i++) {
            const seq = Math.floor((i * PER_KEY) / FILLER) + 1;
            if (i % (FILLER / PER_KEY) === FILLER / PER_KEY - 1) rows.push(keyed(`k${k}`, seq));
            rows.push(unkeyed());
          }
          await writer.beginTransaction();
          await writer.query(INSERT_ROWS, [rows]);
          await setTimeout(4);
          await writer.commit();
        }
      } finally {
        written = true;
        await writer.end();
      }
    })();

    const nextSeq = new Map<string, number>();
    const violations: string[] = [];
    let claimed = 0;
    let idle = 0;
    while (!written || idle < 3) {
      const { rows, leased } = await claims.claim(OWNER, 200, 30_000);
      await leased;
      const claimedSeqs = new Map<string, number>();
      for (const row of rows) {
        if (row.partitionKey === null) continue;
        const { seq } = JSON.parse(row.payload.toString()) as { seq: number };
        const expected = nextSeq.get(row.partitionKey) ?? 1;
        if (seq !== expected || claimedSeqs.has(row.partitionKey)) {
          violations.push(`${row.partitionKey}: claimed seq ${seq}, next unsent is ${expected}`);
        }
        claimedSeqs.set(row.partitionKey, Math.max(claimedSeqs.get(row.partitionKey) ?? 0, seq));
      }
      // Marked at once: the next claim may take each key's next row.
      await claims.markSent(
        rows.map((r) => r.id),
        false,
      );
      for (const [key, seq] of claimedSeqs) {
        nextSeq.set(key, Math.max(nextSeq.get(key) ?? 1, seq + 1));
      }
      claimed += rows.length;
      idle = written && rows.length === 0 ? idle + 1 : 0;
    }
    await writing;

    expect(violations).toEqual([]);
    expect(claimed).toBe(KEYS * (FILLER + PER_KEY));
    expect(nextSeq.has('blocked')).toBe(false);
    expect([...nextSeq.values()].filter((next) => next !== PER_KEY + 1)).toEqual([]);
  }, 120_000);
});

function keyed(key: string, seq: number): unknown[] {
  const id = randomUUID();
  const now = new Date();
  return [id, 'orders', 'test.event', key, 0, JSON.stringify({ key, seq }), '{}', now, now];
}

function unkeyed(): unknown[] {
  const id = randomUUID();
  const now = new Date();
  return [id, 'orders', 'test.event', null, null, JSON.stringify({}), '{}', now, now];
}
