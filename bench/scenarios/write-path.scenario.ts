import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyTopologyPlan, topologyNames } from '@app/messaging/testing';
import { ORDER_EVENTS_STREAM } from '../../apps/producer/src/orders/order-events';
import { PRODUCER_ENTITIES, PRODUCER_MIGRATIONS } from '../../apps/producer/src/producer.migrations';
import { outboxDrained } from '../../libs/messaging/test/publishing/relay-test-kit';
import { createTestNamespace, REPO_ROOT, TestNamespace, waitFor } from '../../libs/messaging/test/support';
import { compare, measure, ScenarioResult } from '../bench-report';
import { BenchContext, connectBroker, PUBLISH_QUEUE_MAX_LENGTH } from '../bench-kit';
import { CpuCost, CpuMeter, medianCost, serviceProcesses } from '../cpu-meter';
import { serverStatus, statusDelta } from '../server-status';
import { costNote } from './cost-note';

// BENCH_PRODUCER: another build of the producer (e.g. a clean worktree's while the tree is mid-change).
const PRODUCER = process.env.BENCH_PRODUCER ?? join(REPO_ROOT, 'dist/apps/producer/main.js');
const POST_ORDER = join(REPO_ROOT, 'bench/fixtures/post-order.lua');
/** As a new user would try it: wrk with 2 threads and 32 connections. */
const WRK_THREADS = 2;
const CONNECTIONS = 32;

/** What the producer writes per POST /orders (apps/producer/src/order-row-only.ts). */
type WritePath = 'order-row-only' | 'outbox-no-relay' | 'outbox-and-relay';

interface LoadRun {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  cpu: CpuCost;
  /** MariaDB statements per request by kind (server-wide counters: other clients' statements count too). */
  statementsPerRequest: Record<StatementKind, number>;
}

/**
 * Scenario 6: POST /orders of the built producer (`npm run build`) under wrk at fixed concurrency, the
 * outbox row plus the in-process relay against the same endpoint writing only the order row with the
 * relay off, same process settings, interleaved per repetition. A third variant (outbox row, relay off)
 * splits the relay's share of the producer's CPU from the outbox row's.
 */
export async function writePathScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  if (!existsSync(PRODUCER)) throw new Error(`${PRODUCER} missing: run npm run build first`);
  const ns = await createTestNamespace('bench_write', {
    entities: PRODUCER_ENTITIES,
    migrations: PRODUCER_MIGRATIONS,
  });
  await bindOrderEventsQueue(ns.vhost.url);
  const seconds = ctx.quick ? 5 : 15;
  const paths: WritePath[] = ['order-row-only', 'outbox-and-relay', 'outbox-no-relay'];
  const runs = new Map<WritePath, LoadRun[]>(paths.map((path) => [path, []]));
  try {
    for (let rep = 1; rep <= ctx.reps; rep++) {
      // Each repetition starts one variant later, so that no variant always runs first, on a machine
      // rested since the previous scenario, or always right after the same other variant.
      for (let i = 0; i < paths.length; i++) {
        const path = paths[(rep - 1 + i) % paths.length];
        runs.get(path)!.push(await loadRun(ns, path, seconds));
      }
      const line = paths
        .map((path) => {
          const r = runs.get(path)!.at(-1)!;
          return `${path} ${r.requestsPerSecond.toFixed(0)} req/s p50 ${r.p50Ms.toFixed(1)} p99 ${r.p99Ms.toFixed(1)} ms, producer ${r.cpu.producer.toFixed(0)} µs/req, SQL/req ${statementLine(r.statementsPerRequest)}${r.errors ? `, ${r.errors} errors` : ''}`;
        })
        .join('; ');
      ctx.progress(`write path rep ${rep}/${ctx.reps}: ${line}`);
    }
    const base = runs.get('order-row-only')!;
    const full = runs.get('outbox-and-relay')!;
    const noRelay = runs.get('outbox-no-relay')!;
    const cpu = { baseline: medianCost(base.map((r) => r.cpu)), subject: medianCost(full.map((r) => r.cpu)) };
    const producerUs = (rs: LoadRun[]) => rs.map((r) => r.cpu.producer);
    const fullUs = measure('', '', producerUs(full)).median;
    const relayShare = (fullUs - measure('', '', producerUs(noRelay)).median) / fullUs;
    const extra = {
      p50Ms: { baseline: base.map((r) => r.p50Ms), subject: full.map((r) => r.p50Ms) },
      p99Ms: { baseline: base.map((r) => r.p99Ms), subject: full.map((r) => r.p99Ms) },
      producerCpuUsPerRequest: {
        orderRowOnly: producerUs(base),
        outboxNoRelay: producerUs(noRelay),
        outboxAndRelay: producerUs(full),
      },
      relayShareOfProducerCpu: relayShare,
      statementsPerRequest: Object.fromEntries(
        paths.map((path) => [path, runs.get(path)!.map((r) => r.statementsPerRequest)]),
      ),
      errors: paths.map((path) => [path, runs.get(path)!.map((r) => r.errors)]),
    };
    const title = (what: string) =>
      `POST /orders, wrk ${WRK_THREADS} threads × ${CONNECTIONS} connections: ${what}`;
    return [
      compare(
        'write-path-rate',
        '6 write path',
        title('order + outbox row + in-process relay vs order row only, relay off'),
        measure(
          'order row only',
          'req/s',
          base.map((r) => r.requestsPerSecond),
        ),
        measure(
          'order + outbox + relay',
          'req/s',
          full.map((r) => r.requestsPerSecond),
        ),
        { on: 'ratio', op: '>=', value: 0.8, text: '≥ 0.8× order row only' },
        { note: costNote(cpu), cpu, extra },
      ),
      compare(
        'write-path-p99',
        '6 write path',
        title('p99 latency'),
        measure(
          'order row only p99',
          'ms',
          base.map((r) => r.p99Ms),
        ),
        measure(
          'order + outbox + relay p99',
          'ms',
          full.map((r) => r.p99Ms),
        ),
        null,
        { extra: { p50Ms: extra.p50Ms } },
      ),
      compare(
        'write-path-cpu',
        '6 write path',
        title('producer CPU per request'),
        measure('order row only', 'µs/req', producerUs(base)),
        measure('order + outbox + relay', 'µs/req', producerUs(full)),
        { on: 'subject', op: '<=', value: 800, text: '≤ 800 µs per order' },
        {
          note: `relay's share of the producer's CPU: ${(relayShare * 100).toFixed(0)} % (outbox row, relay off: ${measure('', '', producerUs(noRelay)).median.toFixed(0)} µs/req).`,
        },
      ),
    ];
  } finally {
    await ns.cleanup();
  }
}

/**
 * A queue bound to the order events' exchange, as billing's partitions would be. Without one every
 * event is unroutable and the relay runs its failure path (a back-off UPDATE per row, retries, dead
 * letters) instead of publish → confirm → mark sent. Bounded to its newest messages like the publish
 * scenarios' queues: no consumer drains it, and a growing queue would load the broker beside the run.
 */
async function bindOrderEventsQueue(amqpUrl: string): Promise<void> {
  // The producer runs with the default topology prefix ('app'): ns.env() sets none.
  const exchange = topologyNames('app').orderedExchange(ORDER_EVENTS_STREAM);
  const queue = `bench.${exchange}`;
  const connection = await connectBroker(amqpUrl);
  try {
    const channel = await connection.createChannel();
    await applyTopologyPlan(channel, {
      exchanges: [{ name: exchange, type: 'topic' }],
      queues: [
        { name: queue, arguments: { 'x-max-length': PUBLISH_QUEUE_MAX_LENGTH, 'x-overflow': 'drop-head' } },
      ],
      bindings: [{ kind: 'queue', destination: queue, source: exchange, pattern: '#' }],
    });
  } finally {
    await connection.close();
  }
}

/** One producer process, warmed up, then one measured wrk run; the producer stops after it. */
async function loadRun(ns: TestNamespace, path: WritePath, seconds: number): Promise<LoadRun> {
  // Every run starts from empty tables. Rows the relay-off variants leave unsent would otherwise be a
  // backlog that the next relay run drains (and MariaDB purges) inside its measured window.
  await emptyTables(ns);
  const port = await freePort();
  const producer = await startProducer(ns, path, port);
  try {
    const url = `http://127.0.0.1:${port}/orders`;
    await wrk(url, 2);
    // The services' background rate is sampled once the relay has published the warm-up's rows: sampled
    // while it still drained them, the broker's and MariaDB's work for the relay would count as
    // background and be subtracted from the relay variant's run.
    if (path === 'outbox-and-relay') {
      await waitFor(() => outboxDrained(ns), {
        what: 'the warm-up outbox rows published',
        timeoutMs: 60_000,
        intervalMs: 100,
      });
    }
    const meter = await new CpuMeter([
      { role: 'producer', pid: producer.pid! },
      ...serviceProcesses({ mysql: ns.database.url, amqp: ns.vhost.url, redis: ns.redis.url }),
    ]).sampleBackground();
    // The clock is wrk's own: it starts when its connections start sending and stops after `seconds`,
    // for both paths alike; the CPU meter spans the same run.
    const statementsBefore = await serverStatements(ns);
    meter.begin();
    const out = await wrk(url, seconds);
    const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
    const statementsAfter = await serverStatements(ns);
    return {
      statementsPerRequest: statusDelta(statementsBefore, statementsAfter, requests),
      requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
      p50Ms: latencyMs(out, '50%'),
      p99Ms: latencyMs(out, '99%'),
      requests,
      errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
      cpu: meter.stop(requests),
    };
  } finally {
    await stop(producer);
  }
}

async function startProducer(ns: TestNamespace, path: WritePath, port: number): Promise<ChildProcess> {
  // BENCH_CPU_PROF=<dir>: V8 CPU profiles of each producer run, written when it stops.
  const prof = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...prof, PRODUCER], {
    env: {
      ...process.env,
      ...ns.env({ PORT: String(port), BENCH_WRITE_PATH: path === 'outbox-and-relay' ? '' : path }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its logs are read and dropped, as a log shipper would; only the tail is kept for a start-up error.
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  await waitFor(() => /listening on/.test(tail) || child.exitCode !== null, {
    what: `producer (${path}) listening`,
    timeoutMs: 60_000,
    intervalMs: 50,
  });
  if (child.exitCode !== null) throw new Error(`producer exited at start-up:\n${tail}`);
  return child;
}

async function emptyTables(ns: TestNamespace): Promise<void> {
  // TRUNCATE recreates the tables: no deleted rows for InnoDB to purge during the next run.
  await ns.database.query('TRUNCATE TABLE outbox_message');
  await ns.database.query('TRUNCATE TABLE orders');
}

const STATEMENT_KINDS = ['select', 'insert', 'update', 'commit'] as const;
type StatementKind = (typeof STATEMENT_KINDS)[number];

/**
 * The server's statement counters (`Com_select` …; an autocommit UPDATE counts no `Com_commit`): the
 * relay's claims (SELECT … FOR UPDATE, UPDATE, COMMIT) and marks (UPDATE) per order, counts that the
 * CPU meter's noise does not blur.
 */
async function serverStatements(ns: TestNamespace): Promise<Record<StatementKind, number>> {
  const counters = await serverStatus(
    ns.database.url,
    STATEMENT_KINDS.map((kind) => `Com_${kind}` as const),
  );
  return Object.fromEntries(STATEMENT_KINDS.map((kind) => [kind, counters[`Com_${kind}`]])) as Record<
    StatementKind,
    number
  >;
}

function statementLine(counts: Record<StatementKind, number>): string {
  return STATEMENT_KINDS.map((k) => `${k} ${counts[k].toFixed(2)}`).join(' ');
}

/** A port nothing listens on right now (other suites start servers on this machine too). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function wrk(url: string, seconds: number): Promise<string> {
  const args = ['-t', String(WRK_THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency'];
  const { stdout } = await promisify(execFile)('wrk', [...args, '-s', POST_ORDER, url]);
  return stdout;
}

/** A percentile of wrk's latency distribution, in ms. */
function latencyMs(out: string, percentile: string): number {
  const match = new RegExp(`${percentile}\\s+([\\d.]+)(us|ms|s)`).exec(out);
  if (!match) return NaN;
  const scale = { us: 0.001, ms: 1, s: 1000 }[match[2] as 'us' | 'ms' | 's'];
  return Number(match[1]) * scale;
}
