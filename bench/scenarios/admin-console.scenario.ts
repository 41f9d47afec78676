import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createConnection, type Connection } from 'mysql2/promise';
import { MessagingModule } from '@app/messaging';
import { REBUILD_GROUPS_SQL } from '@app/messaging/testing';
import { failureFingerprint } from '@app/messaging/testing';
import { createTestNamespace, waitFor } from '../../libs/messaging/test/support';
import { compare, measure, ScenarioResult } from '../bench-report';
import { BENCH_PAYLOAD, BenchBroker, BenchContext } from '../bench-kit';

const TOKEN = 'bench-admin-operator-token-000000';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const GROUPS = 20;
const REPLAY_QUEUE = 'bench.admin.replay';
const OTHER = 'bench.admin.other';

/**
 * Scenario 7, the dead-letter console at scale (ADR 0302): the groups view and the first list page with
 * 100,000 dead letters against 1,000 (goal ≤ 2×), and replay-all of a 10,000-row group in rows/s while
 * the relay drains a backlog of other rows, against the same backlog drained with no replay running.
 */
export async function adminConsoleScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const ns = await createTestNamespace('bench_admin');
  const broker = await BenchBroker.open(ns.vhost.url);
  const db = await createConnection({ uri: ns.database.url, timezone: 'Z' });
  let app: INestApplication | undefined;
  try {
    await broker.exchangeWithQueue(OTHER);
    await broker.exchangeWithQueue(REPLAY_QUEUE);
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRoot(
          ns.options({
            serviceName: 'bench-admin',
            admin: { token: TOKEN },
            relay: { pollIntervalMs: 200 },
            sockets: { coalesceWrites: true },
          }),
        ),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const views = await viewsAtScale(ctx, db, base);
    const replay = await replayUnderLoad(ctx, db, base);
    return [views, ...replay];
  } finally {
    await app?.close();
    await db.end();
    await broker.close();
    await ns.cleanup();
  }
}

async function viewsAtScale(ctx: BenchContext, db: Connection, base: string): Promise<ScenarioResult> {
  const timeViews = async (size: number) => {
    await seedDeadLetters(db, size, GROUPS);
    for (let i = 0; i < 5; i++) await viewsOnce(base); // warm caches and the connection pool
    const samples: number[] = [];
    for (let i = 0; i < (ctx.quick ? 20 : 60); i++) samples.push(await viewsOnce(base));
    return measure('', '', samples).median;
  };
  const small: number[] = [];
  const large: number[] = [];
  for (let rep = 1; rep <= ctx.reps; rep++) {
    small.push(await timeViews(1_000));
    large.push(await timeViews(100_000));
    ctx.progress(
      `admin views rep ${rep}/${ctx.reps}: 1k ${small.at(-1)!.toFixed(1)} ms, 100k ${large.at(-1)!.toFixed(1)} ms`,
    );
  }
  return compare(
    'admin-views-100k',
    'admin-console',
    'Groups view + first dead-letter page (GET groups + GET list), 100,000 vs 1,000 dead letters',
    measure('1,000 dead letters', 'ms', small),
    measure('100,000 dead letters', 'ms', large),
    { on: 'ratio', op: '<=', value: 2, text: '≤ 2×' },
    { note: 'group counters in dead_letter_group, keyset list pages; HTTP on loopback included' },
  );
}

async function viewsOnce(base: string): Promise<number> {
  const started = performance.now();
  const [groups, list] = await Promise.all([
    fetch(`${base}/admin/api/dead-letters/groups`, { headers: AUTH }),
    fetch(`${base}/admin/api/dead-letters?status=open`, { headers: AUTH }),
  ]);
  if (!groups.ok || !list.ok) throw new Error(`admin API answered ${groups.status}/${list.status}`);
  await Promise.all([groups.json(), list.json()]);
  return performance.now() - started;
}

async function replayUnderLoad(ctx: BenchContext, db: Connection, base: string): Promise<ScenarioResult[]> {
  const rows = 10_000;
  const backlog = ctx.quick ? 20_000 : 50_000;
  const alone: number[] = [];
  const during: number[] = [];
  const replayRates: number[] = [];
  for (let rep = 1; rep <= ctx.reps; rep++) {
    alone.push(await drainOther(db, backlog));
    const fingerprint = await seedDeadLetters(db, rows, 1, REPLAY_QUEUE);
    const started = await fetch(`${base}/admin/api/dead-letters/groups/${fingerprint}/replay`, {
      method: 'POST',
      headers: AUTH,
    });
    if (started.status !== 202) throw new Error(`group replay answered ${started.status}`);
    const action = (await started.json()) as { id: string };
    during.push(await drainOther(db, backlog));
    const done = await waitFor(
      async () => {
        const [found] = await db.query(
          'SELECT state, done, TIMESTAMPDIFF(MICROSECOND, started_at, finished_at) AS us FROM dead_letter_action WHERE id = ?',
          [action.id],
        );
        const row = (found as Array<{ state: string; done: number; us: string }>)[0];
        return row.state === 'running' ? null : row;
      },
      { what: 'the group replay', timeoutMs: 300_000, intervalMs: 50 },
    );
    if (done.state !== 'done' || Number(done.done) !== rows)
      throw new Error(`group replay ended ${JSON.stringify(done)}`);
    replayRates.push(rows / (Number(done.us) / 1e6));
    await waitFor(async () => !(await unsent(db)), {
      what: 'the replayed rows published',
      timeoutMs: 300_000,
    });
    ctx.progress(
      `admin replay rep ${rep}/${ctx.reps}: ${replayRates.at(-1)!.toFixed(0)} rows/s; relay ${alone.at(-1)!.toFixed(0)} msg/s alone, ${during.at(-1)!.toFixed(0)} during`,
    );
  }
  return [
    compare(
      'admin-group-replay',
      'admin-console',
      `Replay-all of a ${rows.toLocaleString('en')}-row failure group (background batches of 200)`,
      measure('—', 'rows/s', replayRates),
      measure('replay', 'rows/s', replayRates),
      null,
      { note: 'rows moved from dead_letter into the outbox per second, from start to the last batch commit' },
    ),
    compare(
      'admin-replay-relay-rate',
      'admin-console',
      `Relay drain of ${backlog.toLocaleString('en')} other rows during the group replay vs alone`,
      measure('alone', 'msg/s', alone),
      measure('during replay', 'msg/s', during),
      { on: 'ratio', op: '>=', value: 0.8, text: '≥ 0.8×' },
      {
        note: 'same process runs the relay and the replay; the replayed rows are published by that relay too',
      },
    ),
  ];
}

/** Commits `count` rows for OTHER in one transaction; returns its drain rate (rows/s, commit → last sent). */
async function drainOther(db: Connection, count: number): Promise<number> {
  await db.query(`DELETE FROM outbox_message WHERE exchange = ? AND sent_at IS NOT NULL`, [OTHER]);
  const payload = JSON.stringify(BENCH_PAYLOAD);
  const now = new Date();
  await db.beginTransaction();
  for (let start = 0; start < count; start += 2000) {
    const values = Array.from({ length: Math.min(2000, count - start) }, () => [
      randomUUID(),
      OTHER,
      'e',
      payload,
      '{}',
      now,
      now,
    ]);
    await db.query(
      'INSERT INTO outbox_message (message_id, exchange, routing_key, payload, headers, next_attempt_at, created_at) VALUES ?',
      [values],
    );
  }
  await db.commit();
  const started = performance.now();
  await waitFor(async () => !(await unsent(db, OTHER)), {
    what: `${count} rows sent`,
    timeoutMs: 300_000,
    intervalMs: 20,
  });
  return count / ((performance.now() - started) / 1000);
}

async function unsent(db: Connection, exchange?: string): Promise<boolean> {
  const [rows] = await db.query(
    `SELECT 1 FROM outbox_message WHERE sent_at IS NULL ${exchange ? 'AND exchange = ?' : ''} LIMIT 1`,
    exchange ? [exchange] : [],
  );
  return (rows as unknown[]).length > 0;
}

/**
 * Replaces every dead letter by `count` open consume-side ones spread over `groups` causes, laid out as
 * DeadLetterService.insert writes them, and rebuilds the group counters; returns the first group.
 */
async function seedDeadLetters(
  db: Connection,
  count: number,
  groups: number,
  queue = 'bench.admin.q',
): Promise<string> {
  await db.query('DELETE FROM dead_letter_group');
  await db.query('TRUNCATE TABLE dead_letter');
  const payload = JSON.stringify(BENCH_PAYLOAD);
  const causes = Array.from({ length: groups }, (_, g) => {
    const error = `cause ${g}: no customer for order`;
    const consumer = `consumer-${g}`;
    const { fingerprint } = failureFingerprint({
      origin: 'consume',
      source: consumer,
      reason: 'handler-error',
      errorClass: null,
      error,
    });
    return { error, consumer, fingerprint };
  });
  const now = new Date();
  for (let start = 0; start < count; start += 2000) {
    const values = Array.from({ length: Math.min(2000, count - start) }, (_, i) => {
      const cause = causes[(start + i) % groups];
      return [
        randomUUID(),
        'consume',
        queue,
        cause.consumer,
        payload,
        'handler-error',
        cause.error,
        3,
        now,
        now,
        'open',
        now,
        cause.fingerprint,
      ];
    });
    await db.query(
      `INSERT INTO dead_letter (message_id, origin, queue, consumer, payload, reason, error, attempts,
         first_failed_at, last_failed_at, status, created_at, fingerprint) VALUES ?`,
      [values],
    );
  }
  await db.query(REBUILD_GROUPS_SQL);
  await db.query('ANALYZE TABLE dead_letter');
  return causes[0].fingerprint;
}
