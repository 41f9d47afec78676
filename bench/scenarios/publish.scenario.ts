import { join } from 'node:path';
import { OUTBOX_DEFAULTS } from '../../libs/messaging/src';
import { createTestNamespace, REPO_ROOT, startChild } from '../../libs/messaging/test/support';
import { compare, measure, ScenarioResult } from '../bench-report';
import {
  BenchBroker,
  BenchContext,
  drainRate,
  rawConfirmWindow,
  RssSampler,
  seedBacklog,
} from '../bench-kit';

export const RELAY_PROCESS = join(REPO_ROOT, 'libs/messaging/test/publishing/relay-process.fixture.ts');
/** The relay's default window; the raw baseline gets the same number of publishes in flight. */
const WINDOW = OUTBOX_DEFAULTS.publishWindow;

/**
 * Scenario 1: a relay process (default batch and window) draining a pre-filled outbox vs raw amqplib
 * publishing the same messages through one confirm channel with the same window, into the same kind
 * of queue, interleaved per repetition.
 */
export async function publishScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const ns = await createTestNamespace('bench_publish');
  const probe = await BenchBroker.open(ns.vhost.url);
  const relay = startChild(RELAY_PROCESS, ns.env({ RELAY_OWNER: 'bench-relay' }));
  try {
    await probe.exchangeWithQueue('raw');
    await probe.exchangeWithQueue('relay');
    await relay.waitForOutput(/relay ready/, 60_000);
    const idle = new RssSampler(relay.process.pid!).stop();
    const sizes = ctx.quick ? [10_000, 30_000] : [10_000, 200_000];
    const rates = new Map<number, { raw: number[]; relay: number[]; peakMb: number[] }>();
    for (const size of sizes) {
      const figures = { raw: [] as number[], relay: [] as number[], peakMb: [] as number[] };
      rates.set(size, figures);
      // A 10k drain lasts about half a second and a poll interval or one late mark moves it by a
      // third: more repetitions of the small backlog keep its median steady.
      const reps = size <= 10_000 ? ctx.reps * 3 : ctx.reps;
      for (let rep = 1; rep <= reps; rep++) {
        figures.raw.push(await rawConfirmWindow(ns.vhost.url, 'raw', size, WINDOW));
        await probe.purge('raw');
        await seedBacklog(ns, 'relay', size);
        const rss = new RssSampler(relay.process.pid!);
        figures.relay.push(await drainRate(ns, size));
        figures.peakMb.push(rss.stop().peakMb);
        await probe.purge('relay');
        ctx.progress(
          `publish ${size} rep ${rep}/${reps}: raw ${last(figures.raw)}, relay ${last(figures.relay)} msg/s, relay RSS peak ${last(figures.peakMb)} MB`,
        );
      }
    }
    const [small, large] = sizes.map((size) => rates.get(size)!);
    const label = (n: number) => `${n / 1000}k`;
    const results = sizes.map((size) =>
      compare(
        `publish-${label(size)}`,
        '1 publish',
        `relay draining ${label(size)} outbox rows vs raw confirm window ${WINDOW}`,
        measure('raw confirm window', 'msg/s', rates.get(size)!.raw),
        measure('outbox relay', 'msg/s', rates.get(size)!.relay),
        { on: 'ratio', op: '>=', value: 0.9, text: '≥ 0.9× raw' },
        {
          note: 'Relay: claim (UPDATE + commit) and mark-sent commits per batch on MariaDB, plus the broker confirm rate; both share the 2 CPUs with the broker.',
        },
      ),
    );
    results.push(
      compare(
        'publish-backlog',
        '1 publish',
        `relay rate at a ${label(sizes[1])} backlog vs a ${label(sizes[0])} backlog (no index cliff)`,
        measure(`relay ${label(sizes[0])}`, 'msg/s', small.relay),
        measure(`relay ${label(sizes[1])}`, 'msg/s', large.relay),
        { on: 'ratio', op: '>=', value: 0.9, text: '≥ 0.9× small backlog' },
      ),
      compare(
        'relay-rss',
        '1 publish',
        `relay process RSS: idle vs peak while draining ${label(sizes[1])} rows`,
        measure('idle', 'MB', [idle.peakMb]),
        measure('peak', 'MB', large.peakMb),
        null,
        { note: 'The relay holds one claimed batch and its publish window, never the backlog.' },
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
