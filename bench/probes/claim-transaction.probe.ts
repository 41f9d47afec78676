/**
 * What one transaction per claimed batch would save MariaDB (ADR 0205's open candidate), measured
 * without the relay or the broker: the relay's SQL for a batch as it is today (claim transaction with
 * the lease UPDATE, then a separate mark-sent UPDATE) against the same rows claimed, marked and
 * committed in one transaction. Rows as the bench seeds them, in a scratch copy of `outbox_message`.
 *
 *   npm run --silent migrate && node -r ./libs/messaging/test/support/register-ts.js \
 *     bench/probes/claim-transaction.probe.ts [rows=30000] [batch=2000] [reps=3]
 *
 * Prints MariaDB CPU µs and wall µs per row for each variant, repetitions interleaved. Run it alone
 * (`flock -x /tmp/quiet.lock`): the CPU figure is the server's, whoever else uses it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { createConnection, type Connection } from 'mysql2/promise';
import { cpuMicros, pidListeningOn } from '../cpu-meter';

const URL = process.env.MYSQL_URL ?? 'mysql://messaging:messaging-local@127.0.0.1:3306/orders';
const TABLE = `probe_outbox_${process.pid}`;
const [ROWS, BATCH, REPS] = [30_000, 2_000, 3].map((d, i) => Number(process.argv[2 + i] ?? d));
const PAYLOAD = JSON.stringify({ orderId: randomUUID(), amount: 42.5, currency: 'EUR', lines: [1, 2, 3] });

const CLAIM = `SELECT id, message_id, exchange, routing_key, partition_key, payload, headers, attempts, created_at
  FROM ${TABLE} WHERE sent_at IS NULL AND held = 0 AND id > 0 AND next_attempt_at <= UTC_TIMESTAMP(3)
    AND (locked_until IS NULL OR locked_until < UTC_TIMESTAMP(3)) AND \`partition\` IS NULL
  ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`;
const LEASE = `UPDATE ${TABLE} SET locked_by = 'probe', locked_until = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL 30 SECOND) WHERE id IN (?)`;
const MARK = `UPDATE ${TABLE} SET sent_at = UTC_TIMESTAMP(3), locked_until = NULL, attempts = attempts + 1, last_error = NULL WHERE id IN (?)`;

type Variant = (db: Connection) => Promise<number>;

/** Opens the claim's transaction and takes a batch, as `OutboxClaims.claim` does. */
async function claimBatch(db: Connection): Promise<string[]> {
  await db.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
  await db.beginTransaction();
  const [rows] = (await db.query(CLAIM, [BATCH])) as unknown as [Array<{ id: string }>];
  return rows.map((r) => r.id);
}

/** Today: claim + lease + commit, then mark-sent in its own autocommit statement. */
const twoTransactions: Variant = async (db) => {
  const ids = await claimBatch(db);
  if (ids.length > 0) await db.query(LEASE, [ids]);
  await db.commit();
  if (ids.length > 0) await db.query(MARK, [ids]);
  return ids.length;
};

/** The candidate: the claim's row locks hold the rows while they are published; mark and commit once. */
const oneTransaction: Variant = async (db) => {
  const ids = await claimBatch(db);
  if (ids.length > 0) await db.query(MARK, [ids]);
  await db.commit();
  return ids.length;
};

async function seed(db: Connection): Promise<void> {
  await db.query(`TRUNCATE TABLE ${TABLE}`);
  for (let start = 0; start < ROWS; start += 2000) {
    const rows = Array.from({ length: Math.min(2000, ROWS - start) }, () => {
      const id = randomUUID();
      return [id, 'probe', 'test.event', PAYLOAD, JSON.stringify({ 'x-correlation-id': id })];
    });
    await db.query(`INSERT INTO ${TABLE} (message_id, exchange, routing_key, payload, headers) VALUES ?`, [
      rows,
    ]);
  }
}

async function measure(db: Connection, variant: Variant, mysqld: number) {
  await seed(db);
  // Let InnoDB's purge of the previous drain's delete-marks settle before the clock starts.
  await setTimeout(3000);
  const cpu0 = cpuMicros(mysqld);
  const t0 = performance.now();
  let done = 0;
  while (done < ROWS) {
    const n = await variant(db);
    if (n === 0) break;
    done += n;
  }
  const wallUs = (performance.now() - t0) * 1000;
  return { rows: done, cpuUsPerRow: (cpuMicros(mysqld) - cpu0) / done, wallUsPerRow: wallUs / done };
}

async function main(): Promise<void> {
  const mysqld = pidListeningOn(Number(new globalThis.URL(URL).port || 3306));
  const db = await createConnection({ uri: URL, timezone: 'Z' });
  await db.query(`CREATE TABLE ${TABLE} LIKE outbox_message`);
  try {
    const variants: Array<[string, Variant]> = [
      ['claim+lease commit, then mark (today)', twoTransactions],
      ['claim+mark, one commit (candidate)', oneTransaction],
    ];
    for (let rep = 1; rep <= REPS; rep++) {
      for (const [name, variant] of rep % 2 ? variants : [...variants].reverse()) {
        const r = await measure(db, variant, mysqld);
        console.log(
          `rep ${rep} ${name}: ${r.rows} rows, MariaDB ${r.cpuUsPerRow.toFixed(1)} µs CPU/row, ` +
            `${r.wallUsPerRow.toFixed(1)} µs wall/row`,
        );
      }
    }
  } finally {
    await db.query(`DROP TABLE ${TABLE}`);
    await db.end();
  }
}

void main().catch((error: Error) => {
  console.error(error);
  process.exitCode = 1;
});
