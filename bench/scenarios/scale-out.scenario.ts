import { join } from 'node:path';
import { topologyNames } from '@app/messaging';
import {
  ChildApp,
  createTestNamespace,
  REPO_ROOT,
  startChild,
  TestNamespace,
  waitFor,
} from '../../libs/messaging/test/support';
import { compare, measure, ScenarioResult } from '../bench-report';
import {
  BENCH_PAYLOAD,
  BenchBroker,
  BenchContext,
  ClaimLog,
  drainRate,
  seedBacklog,
  sleep,
} from '../bench-kit';
import { CpuCost, CpuMeter, medianCost, serviceProcesses } from '../cpu-meter';
import { RELAY_DEFAULTS } from '@app/messaging/testing';
import { ratePerSecond } from '../../scripts/bench/bench-clock';
import { serverStatus, statusDelta } from '../server-status';
import { costNote } from './cost-note';
import { RELAY_PROCESS } from './publish.scenario';

/**
 * InnoDB's row-lock counters: waits (a statement blocked on another transaction's row lock), the ms
 * spent waiting, and deadlocks: whether a relay's marks wait for claims, its own or the other relay's
 * (docs/databases.md).
 */
const LOCK_COUNTERS = ['Innodb_row_lock_waits', 'Innodb_row_lock_time', 'Innodb_deadlocks'] as const;
type LockCounts = Record<(typeof LOCK_COUNTERS)[number], number>;

const RAW_PUBLISHER = join(REPO_ROOT, 'bench/fixtures/raw-publisher.process.ts');

const CONSUMER_PROCESS = join(REPO_ROOT, 'bench/fixtures/bench-consumer.process.ts');
const names = topologyNames('bench');

/** Scenario 4: one vs two relay processes on one outbox, one vs two consumer processes on one queue. */
export async function scaleOutScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const ns = await createTestNamespace('bench_scale');
  const children: ChildApp[] = [];
  const start = async (script: string, env: Record<string, string>, ready: RegExp) => {
    const child = startChild(script, ns.env(env));
    children.push(child);
    await child.waitForOutput(ready, 60_000);
    return child;
  };
  try {
    const relays = await relayScaleOut(ctx, ns, (owner) =>
      start(RELAY_PROCESS, { RELAY_OWNER: owner }, /relay ready/),
    );
    const consumers = await consumerScaleOut(ctx, ns, () =>
      start(CONSUMER_PROCESS, { TOPOLOGY_PREFIX: 'bench' }, /consumer ready/),
    );
    return [...relays, consumers];
  } finally {
    await Promise.all(children.map((child) => child.kill()));
    await ns.cleanup();
  }
}

async function relayScaleOut(
  ctx: BenchContext,
  ns: TestNamespace,
  startRelay: (owner: string) => Promise<ChildApp>,
): Promise<ScenarioResult[]> {
  // Several claims per relay even at the default batch of 2,000 rows.
  const rows = ctx.quick ? 30_000 : 100_000;
  const probe = await BenchBroker.open(ns.vhost.url);
  const services = serviceProcesses({ mysql: ns.database.url, amqp: ns.vhost.url, redis: ns.redis.url });
  try {
    await probe.exchangeWithQueue('relay');
    const first = await startRelay('relay-1');
    const second = await startRelay('relay-2');
    const relayPids = [first, second].map((r) => ({ role: 'publisher', pid: r.process.pid! }));
    const drain = async (relays: ChildApp[]) => {
      const meter = await new CpuMeter([...relayPids, ...services]).sampleBackground();
      const claims = new ClaimLog(relays);
      await seedBacklog(ns, 'relay', rows);
      const locksBefore = await serverStatus(ns.database.url, LOCK_COUNTERS);
      meter.begin();
      const rate = await drainRate(ns, rows, claims);
      const cpu = meter.stop(rows);
      const locks = statusDelta(locksBefore, await serverStatus(ns.database.url, LOCK_COUNTERS));
      await probe.purge('relay');
      return { rate, cpu, locks };
    };
    const figures = { one: [] as number[], two: [] as number[], raw1: [] as number[], raw2: [] as number[] };
    const cpu = { one: [] as CpuCost[], two: [] as CpuCost[] };
    const locks = { one: [] as LockCounts[], two: [] as LockCounts[] };
    // Interleaved, so load from other suites hits every variant alike; the broker-bound verdict comes
    // from raw runs with as many publisher processes as relays, taken beside each relay run.
    for (let rep = 1; rep <= ctx.reps; rep++) {
      figures.raw1.push(await rawProcesses(ns, 1, rows));
      await probe.purge('relay');
      // The second relay is stopped while idle (no claim open, no lease held) for the one-relay run.
      second.process.kill('SIGSTOP');
      try {
        const one = await drain([first]);
        figures.one.push(one.rate);
        cpu.one.push(one.cpu);
        locks.one.push(one.locks);
      } finally {
        second.process.kill('SIGCONT');
      }
      figures.raw2.push(await rawProcesses(ns, 2, rows));
      await probe.purge('relay');
      const two = await drain([first, second]);
      figures.two.push(two.rate);
      cpu.two.push(two.cpu);
      locks.two.push(two.locks);
      ctx.progress(
        `relay scale-out rep ${rep}/${ctx.reps}: raw×1 ${last(figures.raw1)}, one relay ${last(figures.one)}, raw×2 ${last(figures.raw2)}, two relays ${last(figures.two)} msg/s; CPU/msg one ${cpu.one.at(-1)!.total.toFixed(0)}, two ${cpu.two.at(-1)!.total.toFixed(0)} µs; row locks one ${lockLine(locks.one.at(-1)!)}, two ${lockLine(locks.two.at(-1)!)}`,
      );
      await sleep(100);
    }
    const raw2 = measure('', '', figures.raw2).median;
    const twoMedian = measure('', '', figures.two).median;
    const brokerBound = twoMedian >= 0.8 * raw2;
    const cost = { baseline: medianCost(cpu.one), subject: medianCost(cpu.two) };
    const result = compare(
      'scale-relays',
      '4 scale-out',
      `2 relay processes vs 1 draining ${rows / 1000}k rows`,
      measure('1 relay', 'msg/s', figures.one),
      measure('2 relays', 'msg/s', figures.two),
      { on: 'ratio', op: '>=', value: 1.0, text: '≥ 1.0× one relay' },
      {
        note: `raw confirm window in the same repetitions: 1 process ${measure('', '', figures.raw1).median.toFixed(0)}, 2 processes ${raw2.toFixed(0)} msg/s; ${
          brokerBound
            ? 'two relays reach ≥ 80 % of two raw publishers: the broker is the limit.'
            : 'two relays stay under 80 % of two raw publishers: not broker-bound.'
        } InnoDB row locks per drain (median), one relay: ${lockLine(medianCost(locks.one) as LockCounts)}; two relays: ${lockLine(medianCost(locks.two) as LockCounts)}. ${costNote(cost)}`,
        extra: { raw1: figures.raw1, raw2: figures.raw2, brokerBound, rowLocks: locks },
        cpu: cost,
      },
    );
    return [
      result,
      compare(
        'scale-relays-cpu',
        '4 scale-out',
        'CPU per message, all processes, 2 relays vs 1',
        measure(
          '1 relay',
          'µs/msg',
          cpu.one.map((c) => c.total),
        ),
        measure(
          '2 relays',
          'µs/msg',
          cpu.two.map((c) => c.total),
        ),
        { on: 'ratio', op: '<=', value: 1.1, text: '≤ 1.1× one relay' },
      ),
    ];
  } finally {
    await probe.close();
  }
}

/** `processes` raw publisher processes, `rows` messages in all; msg/s from the first publish to the last confirm. */
async function rawProcesses(ns: TestNamespace, processes: number, rows: number): Promise<number> {
  const children = Array.from({ length: processes }, () =>
    startChild(
      RAW_PUBLISHER,
      ns.env({
        RAW_EXCHANGE: 'relay',
        RAW_MESSAGES: String(Math.ceil(rows / processes)),
        // Each raw process gets one relay's window, as each relay has its own.
        RAW_WINDOW: String(RELAY_DEFAULTS.publishWindow),
      }),
    ),
  );
  try {
    await Promise.all(children.map((child) => child.waitForOutput(/raw ready/, 60_000)));
    children.forEach((child) => child.process.kill('SIGUSR2'));
    await Promise.all(children.map((child) => child.waitForOutput(/raw done/, 300_000)));
    const spans = children.map((child) => /raw done (\S+) (\S+)/.exec(child.output())!.slice(1).map(Number));
    // From the first publish of any process to the last confirm of any.
    return ratePerSecond(
      Math.ceil(rows / processes) * processes,
      Math.min(...spans.map(([start]) => start)),
      Math.max(...spans.map(([, end]) => end)),
    );
  } finally {
    await Promise.all(children.map((child) => child.kill()));
  }
}

async function consumerScaleOut(
  ctx: BenchContext,
  ns: TestNamespace,
  startConsumer: () => Promise<ChildApp>,
): Promise<ScenarioResult> {
  const messages = ctx.quick ? 5000 : 20_000;
  const publisher = await BenchBroker.open(ns.vhost.url);
  const batch = Array.from({ length: messages }, () => ({
    exchange: names.eventsExchange,
    routingKey: 'scale.created',
    body: BENCH_PAYLOAD,
  }));
  // Each round needs fresh processes: the gate opens once per process.
  const round = async (processes: number): Promise<number> => {
    const consumers = await Promise.all(Array.from({ length: processes }, startConsumer));
    await publisher.publishAll(batch);
    consumers.forEach((c) => c.process.kill('SIGUSR2'));
    let totals = { count: 0, opened: 0, last: 0 };
    await waitFor(
      () => {
        totals = consumers.map(progressOf).reduce((a, b) => ({
          count: a.count + b.count,
          opened: Math.min(a.opened, b.opened),
          last: Math.max(a.last, b.last),
        }));
        return totals.count >= messages;
      },
      {
        what: `${messages} messages consumed by ${processes} process(es)`,
        timeoutMs: 300_000,
        intervalMs: 50,
      },
    );
    await Promise.all(consumers.map((c) => c.kill()));
    return messages / ((totals.last - totals.opened) / 1000);
  };
  try {
    const one: number[] = [];
    const two: number[] = [];
    // Every round starts fresh processes (seconds each): two rounds are enough in --quick.
    const reps = ctx.quick ? Math.min(ctx.reps, 2) : ctx.reps;
    for (let rep = 1; rep <= reps; rep++) {
      one.push(await round(1));
      two.push(await round(2));
      ctx.progress(
        `consumer scale-out rep ${rep}/${reps}: 1 process ${one.at(-1)!.toFixed(0)}, 2 processes ${two.at(-1)!.toFixed(0)} msg/s`,
      );
    }
    return compare(
      'scale-consumers',
      '4 scale-out',
      `2 consumer processes (dedupe + retry) vs 1 on one queue, ${messages} msgs`,
      measure('1 consumer', 'msg/s', one),
      measure('2 consumers', 'msg/s', two),
      null,
      { note: 'Two processes plus RabbitMQ and Redis on 2 CPUs: CPU-bound, so gains are modest here.' },
    );
  } finally {
    await publisher.close();
  }
}

function lockLine(counts: LockCounts): string {
  return `${counts.Innodb_row_lock_waits} waits, ${counts.Innodb_row_lock_time} ms waited, ${counts.Innodb_deadlocks} deadlocks`;
}

function last(values: number[]): string {
  return values[values.length - 1].toFixed(0);
}

function progressOf(child: ChildApp): { count: number; opened: number; last: number } {
  const lines = child.output().match(/progress \d+ \d+ \d+/g);
  const [, count, opened, last] = (lines?.at(-1) ?? 'progress 0 0 0').split(' ').map(Number);
  return { count, opened: opened || Infinity, last };
}
