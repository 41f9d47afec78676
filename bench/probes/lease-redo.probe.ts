/**
 * What the relay's statements write to InnoDB's redo log per row (ADR 0211): the insert, the claim's
 * lease `UPDATE` and the mark-sent `UPDATE`, each read as the growth of `Innodb_lsn_current`, with
 * MariaDB's CPU per row, for the lease columns as the schema has them now and as they were before
 * ADR 0211 (`NULL` until the lease). Rows as the bench seeds them, in scratch copies of `outbox_message`.
 *
 *   npm run --silent migrate && node -r ./libs/messaging/test/support/register-ts.js \
 *     bench/probes/lease-redo.probe.ts [rows=20000] [reps=2]
 *
 * Run it alone (`flock -x /tmp/quiet.lock`): the redo and CPU figures are the server's, whoever else
 * writes.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { createConnection, type Connection } from 'mysql2/promise';
import { BENCH_PAYLOAD } from '../bench-kit';
import { cpuMicros, pidListeningOn } from '../cpu-meter';
import { serverStatus } from '../server-status';

const URL = process.env.MYSQL_URL ?? 'mysql://messaging:messaging-local@127.0.0.1:3306/orders';
const TABLE = `probe_lease_${process.pid}`;
const [ROWS, REPS] = [20_000, 2].map((d, i) => Number(process.argv[2 + i] ?? d));
const BATCH = 2_000;
const OWNER = 'orders@probe-host:12345:5f2c9a';

/** The lease columns before ADR 0211: nothing stored until the lease writes them. */
const BEFORE_ADR_0211 = `ALTER TABLE ${TABLE}
  MODIFY locked_by VARCHAR(128) NULL, MODIFY locked_until DATETIME(3) NULL DEFAULT NULL`;

interface Figures {
  redo: number;
  cpu: number;
}

async function lsn(db: Connection): Promise<number> {
  return (await serverStatus(db, ['Innodb_lsn_current'])).Innodb_lsn_current;
}

/** Redo bytes and MariaDB CPU µs of `work`, per row. */
async function perRow(db: Connection, mysqld: number, work: () => Promise<void>): Promise<Figures> {
  const [cpu0, lsn0] = [cpuMicros(mysqld), await lsn(db)];
  await work();
  return { redo: ((await lsn(db)) - lsn0) / ROWS, cpu: (cpuMicros(mysqld) - cpu0) / ROWS };
}

async function measure(db: Connection, mysqld: number, before: boolean) {
  await db.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await db.query(`CREATE TABLE ${TABLE} LIKE outbox_message`);
  if (before) await db.query(BEFORE_ADR_0211);
  const payload = JSON.stringify(BENCH_PAYLOAD);
  const insert = await perRow(db, mysqld, async () => {
    for (let start = 0; start < ROWS; start += BATCH) {
      const rows = Array.from({ length: BATCH }, () => {
        const id = randomUUID();
        return [id, 'bench.x', 'test.event', payload, JSON.stringify({ 'x-correlation-id': id })];
      });
      await db.query(`INSERT INTO ${TABLE} (message_id, exchange, routing_key, payload, headers) VALUES ?`, [
        rows,
      ]);
    }
  });
  // Let InnoDB's background work on the inserts settle before the relay's statements are read.
  await setTimeout(3000);
  const ids = (
    (await db.query(`SELECT id FROM ${TABLE} ORDER BY id`)) as unknown as [Array<{ id: number }>]
  )[0];
  const batches = Array.from({ length: Math.ceil(ids.length / BATCH) }, (_, i) =>
    ids.slice(i * BATCH, (i + 1) * BATCH).map((r) => r.id),
  );
  const lease = { redo: 0, cpu: 0 };
  const mark = { redo: 0, cpu: 0 };
  for (const batch of batches) {
    const l = await perRow(db, mysqld, async () => {
      await db.query(
        `UPDATE ${TABLE} SET locked_by = ?, locked_until = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL 30 SECOND)
         WHERE id IN (?)`,
        [OWNER, batch],
      );
    });
    const m = await perRow(db, mysqld, async () => {
      await db.query(
        `UPDATE ${TABLE} SET sent_at = UTC_TIMESTAMP(3), locked_until = NULL, attempts = attempts + 1,
           last_error = NULL WHERE id IN (?)`,
        [batch],
      );
    });
    lease.redo += l.redo;
    lease.cpu += l.cpu;
    mark.redo += m.redo;
    mark.cpu += m.cpu;
  }
  return { insert, lease, mark };
}

async function main(): Promise<void> {
  const mysqld = pidListeningOn(Number(new globalThis.URL(URL).port || 3306));
  const db = await createConnection({ uri: URL, timezone: 'Z' });
  const show = (f: Figures) => `${f.redo.toFixed(0)} B, ${f.cpu.toFixed(1)} µs`;
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      for (const before of rep % 2 ? [false, true] : [true, false]) {
        const r = await measure(db, mysqld, before);
        console.log(
          `rep ${rep} ${before ? 'before ADR 0211' : 'schema now     '}: redo and MariaDB CPU per row: ` +
            `insert ${show(r.insert)}, lease ${show(r.lease)}, mark-sent ${show(r.mark)}`,
        );
      }
    }
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await db.end();
  }
}

void main().catch((error: Error) => {
  console.error(error);
  process.exitCode = 1;
});
