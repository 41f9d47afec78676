import { join } from 'node:path';
import { RELAY_DEFAULTS } from '@app/messaging/testing';
import { createTestNamespace, REPO_ROOT, startChild } from '../../libs/messaging/test/support';
import { compare, measure, ScenarioResult } from '../bench-report';
import { BenchBroker, BenchContext, ClaimLog, drainRate, rawConfirmWindow, seedBacklog } from '../bench-kit';
import { CpuCost, CpuMeter, medianCost, RssSampler, serviceProcesses } from '../cpu-meter';
import { costNote } from './cost-note';

export const RELAY_PROCESS = join(REPO_ROOT, 'bench/fixtures/bench-relay.process.ts');
/** The relay's default window; the raw baseline gets the same number of publishes in flight. */
const WINDOW = RELAY_DEFAULTS.publishWindow;

interface SizeFigures {
  raw: number[];
  relay: number[];
  peakMb: number[];
  rawCpu: CpuCost[];
  relayCpu: CpuCost[];
}

/**
 * Scenario 1: a relay process (default batch and window) draining a pre-filled outbox vs raw amqplib
 * publishing the same messages through one confirm channel with the same window, into the same kind
 * of queue, interleaved per repetition; with the CPU each message costs each process on both paths.
 */
export async function publishScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const ns = await createTestNamespace('bench_publish');
  const probe = await BenchBroker.open(ns.vhost.url);
  const relay = startChild(RELAY_PROCESS, ns.env({ RELAY_OWNER: 'bench-relay' }));
  try {
    await probe.exchangeWithQueue('raw');
    await probe.exchangeWithQueue('relay');
    await relay.waitForOutput(/relay ready/, 60_000);
    const services = serviceProcesses({ mysql: ns.database.url, amqp: ns.vhost.url, redis: ns.redis.url });
    const relayProcesses = [{ role: 'publisher', pid: relay.process.pid! }, ...services];
    const idle = new RssSampler(relay.process.pid!).stop();
    const sizes = ctx.quick ? [10_000, 30_000] : [10_000, 200_000];
    const rates = new Map<number, SizeFigures>();
    let interrupted = '';
    try {
      for (const size of sizes) {
        const figures: SizeFigures = { raw: [], relay: [], peakMb: [], rawCpu: [], relayCpu: [] };
        rates.set(size, figures);
        // A 10k drain lasts about half a second and a poll interval or one late mark moves it by a
        // third: more repetitions of the small backlog keep its median steady.
        const reps = size <= 10_000 ? ctx.reps * 3 : ctx.reps;
        for (let rep = 1; rep <= reps; rep++) {
          const raw = await rawConfirmWindow(ns.vhost.url, 'raw', size, WINDOW, services);
          figures.raw.push(raw.rate);
          figures.rawCpu.push(raw.cpu);
          await probe.purge('raw');
          const meter = await new CpuMeter(relayProcesses).sampleBackground();
          const claims = new ClaimLog([relay]);
          await seedBacklog(ns, 'relay', size);
          // From the seed's commit to the last mark: the relay's idle poll before its first claim costs
          // next to nothing, and the seeding's own database work is left out.
          meter.begin();
          const rss = new RssSampler(relay.process.pid!);
          figures.relay.push(await drainRate(ns, size, claims));
          figures.relayCpu.push(meter.stop(size));
          figures.peakMb.push(rss.stop().peakMb);
          await probe.purge('relay');
          ctx.progress(
            `publish ${size} rep ${rep}/${reps}: raw ${last(figures.raw)}, relay ${last(figures.relay)} msg/s; CPU/msg raw ${figures.rawCpu.at(-1)!.total.toFixed(0)}, relay ${figures.relayCpu.at(-1)!.total.toFixed(0)} µs; relay RSS peak ${last(figures.peakMb)} MB`,
          );
        }
      }
    } catch (error) {
      // A broker restart by another suite: keep the repetitions that finished, as pairs, and say so.
      const done = sizes.map((size) => rates.get(size)?.relay.length ?? 0);
      if (done.some((n) => n === 0)) throw error;
      for (const f of rates.values()) {
        f.raw.length = f.relay.length;
        f.rawCpu.length = f.relay.length;
      }
      interrupted = ` Interrupted after ${done.join(' and ')} repetitions: ${(error as Error).message}.`;
      ctx.progress(`publish: interrupted, keeping the finished repetitions:${interrupted}`);
    }
    const [small, large] = sizes.map((size) => rates.get(size)!);
    const label = (n: number) => `${n / 1000}k`;
    const results: ScenarioResult[] = [];
    for (const size of sizes) {
      const f = rates.get(size)!;
      const cpu = { baseline: medianCost(f.rawCpu), subject: medianCost(f.relayCpu) };
      results.push(
        compare(
          `publish-${label(size)}`,
          '1 publish',
          `relay draining ${label(size)} outbox rows vs raw confirm window ${WINDOW}`,
          measure('raw confirm window', 'msg/s', f.raw),
          measure('outbox relay', 'msg/s', f.relay),
          { on: 'ratio', op: '>=', value: 0.9, text: '≥ 0.9× raw' },
          { note: costNote(cpu) + interrupted, cpu },
        ),
        compare(
          `publish-cpu-${label(size)}`,
          '1 publish',
          `CPU per message, all processes, relay path vs raw path (${label(size)})`,
          measure(
            'raw path',
            'µs/msg',
            f.rawCpu.map((c) => c.total),
          ),
          measure(
            'relay path',
            'µs/msg',
            f.relayCpu.map((c) => c.total),
          ),
          { on: 'ratio', op: '<=', value: 1.3, text: '≤ 1.3× raw path' },
          { note: costNote(cpu) },
        ),
      );
    }
    results.push(
      compare(
        'publish-backlog',
        '1 publish',
        `relay rate at a ${label(sizes[1])} backlog vs a ${label(sizes[0])} backlog (no index cliff)`,
        measure(`relay ${label(sizes[0])}`, 'msg/s', small.relay),
        measure(`relay ${label(sizes[1])}`, 'msg/s', large.relay),
        { on: 'ratio', op: '>=', value: 0.9, text: '≥ 0.9× small backlog' },
        {
          note: `relay CPU/msg ${label(sizes[0])} ${medianCost(small.relayCpu).total.toFixed(0)} µs, ${label(sizes[1])} ${medianCost(large.relayCpu).total.toFixed(0)} µs (all processes).`,
        },
      ),
      compare(
        'relay-rss',
        '1 publish',
        `relay process RSS: idle vs peak while draining ${label(sizes[1])} rows`,
        measure('idle', 'MB', [idle.peakMb]),
        measure('peak', 'MB', large.peakMb),
        { on: 'ratio', op: '<=', value: 1.5, text: '≤ 1.5× idle' },
        { note: 'The relay holds its claimed rows and its publish window, never the backlog.' },
      ),
    );
    return results;
  } finally {
    await relay.kill();
    await probe.close();
    await ns.cleanup();
  }
}

function last(values: number[]): string {
  return values[values.length - 1].toFixed(0);
}
