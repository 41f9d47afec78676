import { compare, measure, ScenarioResult } from '../bench-report';
import type { BenchContext } from '../bench-kit';
import { CpuCost, medianCost } from '../cpu-meter';
import { BENCH_PREFETCH, ConsumerBenchApp } from '../consumer-bench-app';
import { costNote } from './cost-note';

/**
 * Scenario 3 (consume) and 5 (ordered) share one app: a bare golevelup handler, a reliable subscription
 * (dedupe + retry policy), one with the inbox, billing's configuration (ordered + inbox + an effect row)
 * and an ordered stream; each run drains a pre-filled queue.
 */
const WARM_UP = 2000;
/** Order ids in flight at once for billing's figure: many keys, as real order traffic has. */
const BILLING_KEYS = 10_000;

type Measured = 'bare' | 'reliable' | 'inbox' | 'billing';

export async function consumeScenarios(ctx: BenchContext, app: ConsumerBenchApp): Promise<ScenarioResult[]> {
  const count = ctx.quick ? 5000 : 20_000;
  const inboxCount = ctx.quick ? 2000 : 5000;
  const samples: Record<Measured, number[]> = { bare: [], reliable: [], inbox: [], billing: [] };
  const cpu: Record<Measured, number[]> = { bare: [], reliable: [], inbox: [], billing: [] };
  const costs: Record<Measured, CpuCost[]> = { bare: [], reliable: [], inbox: [], billing: [] };
  const drain = async (consumer: Measured, n: number, keys = 0) => {
    const result = await app.drainWithCpu(consumer, n, keys);
    samples[consumer].push(result.rate);
    cpu[consumer].push(result.cpuUsPerMessage);
    costs[consumer].push(result.cpu);
  };
  // Not measured: the first thousands of deliveries run before V8 optimised the path, and the
  // reliable path has more code to optimise than the bare handler.
  for (const consumer of ['bare', 'reliable', 'inbox'] as const) await app.drain(consumer, WARM_UP);
  await app.drain('billing', WARM_UP, BILLING_KEYS);
  ctx.progress(`consume: warmed up with ${WARM_UP} messages per consumer`);
  // Interleaved, so load from other processes on the machine hits every variant alike.
  for (let rep = 1; rep <= ctx.reps; rep++) {
    await drain('bare', count);
    await drain('reliable', count);
    await drain('inbox', inboxCount);
    await drain('billing', inboxCount, BILLING_KEYS);
    ctx.progress(
      `consume rep ${rep}/${ctx.reps}: bare ${rate(samples.bare)}, dedupe ${rate(samples.reliable)}, inbox ${rate(samples.inbox)}, ` +
        `billing ${rate(samples.billing)} msg/s; CPU/msg bare ${rate(cpu.bare)}, dedupe ${rate(cpu.reliable)}, ` +
        `inbox ${rate(cpu.inbox)}, billing ${rate(cpu.billing)} µs`,
    );
  }
  const bare = measure('bare golevelup', 'msg/s', samples.bare);
  return [
    compare(
      'consume-dedupe',
      '3 consume',
      `dedupe + retry consumer vs bare handler (${count} msgs, prefetch ${BENCH_PREFETCH})`,
      bare,
      measure('dedupe + retry', 'msg/s', samples.reliable),
      { on: 'ratio', op: '>=', value: 0.8, text: '≥ 0.8× bare' },
      {
        note: 'Two Redis round trips per message (claim + count, done + forget) inside the prefetch window.',
        extra: { cpuUsPerMessage: { bare: cpu.bare, subject: cpu.reliable } },
        cpu: { baseline: medianCost(costs.bare), subject: medianCost(costs.reliable) },
      },
    ),
    compare(
      'consume-dedupe-cpu',
      '3 consume',
      'consumer CPU time per message (this process), dedupe + retry vs bare',
      measure('bare golevelup', 'µs/msg', cpu.bare),
      measure('dedupe + retry', 'µs/msg', cpu.reliable),
      null,
      { note: 'Independent of other load on the machine: what the safe path costs in Node itself.' },
    ),
    compare(
      'consume-inbox',
      '3 consume',
      `dedupe + retry + inbox consumer vs bare handler (${inboxCount} msgs)`,
      bare,
      measure('dedupe + retry + inbox', 'msg/s', samples.inbox),
      { on: 'ratio', op: '>=', value: 0.5, text: '≥ 0.5× bare' },
      {
        note:
          'Group commit (ADR 0207): the deliveries ready together share one MySQL transaction (one multi-row ' +
          'inbox insert, a savepoint per handler, one commit). ' +
          costNote({ baseline: medianCost(costs.bare), subject: medianCost(costs.inbox) }),
        extra: { cpuUsPerMessage: { bare: cpu.bare, subject: cpu.inbox } },
        cpu: { baseline: medianCost(costs.bare), subject: medianCost(costs.inbox) },
      },
    ),
    compare(
      'consume-inbox-cpu',
      '3 consume',
      'consumer CPU time per message (this process), dedupe + retry + inbox vs bare',
      measure('bare golevelup', 'µs/msg', cpu.bare),
      measure('dedupe + retry + inbox', 'µs/msg', cpu.inbox),
      null,
      { note: 'Node-side cost of the inbox path: its share of the batch statements, per message.' },
    ),
    compare(
      'consume-billing',
      '3 consume',
      `billing's configuration: ordered + inbox + a ledger row, ${BILLING_KEYS} keys, vs bare handler (${inboxCount} msgs)`,
      bare,
      measure('ordered + inbox (billing)', 'msg/s', samples.billing),
      { on: 'ratio', op: '>=', value: 0.4, text: '≥ 0.4× bare' },
      {
        note:
          'Different keys of a partition run side by side (ADR 0208), so the prefetch window fills the inbox ' +
          'batches; one more statement per message (the ledger row) than the inbox figure. ' +
          costNote({ baseline: medianCost(costs.bare), subject: medianCost(costs.billing) }),
        extra: { cpuUsPerMessage: { bare: cpu.bare, subject: cpu.billing } },
        cpu: { baseline: medianCost(costs.bare), subject: medianCost(costs.billing) },
      },
    ),
    compare(
      'consume-billing-cpu',
      '3 consume',
      "consumer CPU time per message (this process), billing's configuration vs bare",
      measure('bare golevelup', 'µs/msg', cpu.bare),
      measure('ordered + inbox (billing)', 'µs/msg', cpu.billing),
      null,
      { note: 'Includes the ledger row insert of each message.' },
    ),
  ];
}

export async function orderedScenarios(ctx: BenchContext, app: ConsumerBenchApp): Promise<ScenarioResult[]> {
  const count = ctx.quick ? 3000 : 10_000;
  const results: ScenarioResult[] = [];
  for (const keys of [1, 100, 10_000]) {
    const unordered: number[] = [];
    const ordered: number[] = [];
    for (let rep = 1; rep <= ctx.reps; rep++) {
      unordered.push(await app.drain('reliable', count));
      ordered.push(await app.drain('ordered', count, keys));
      ctx.progress(
        `ordered ${keys} keys rep ${rep}/${ctx.reps}: unordered ${rate(unordered)}, ordered ${rate(ordered)} msg/s`,
      );
    }
    results.push(
      compare(
        `ordered-${keys}-keys`,
        '5 ordered',
        `ordered stream, ${keys} key(s), 4 partitions vs unordered dedupe consumer (${count} msgs)`,
        measure('unordered dedupe', 'msg/s', unordered),
        measure(`ordered ${keys} keys`, 'msg/s', ordered),
        null,
        {
          note:
            keys === 1
              ? 'One key = one partition, one delivery at a time: bound by the per-message round trips.'
              : 'Keys spread over 4 single-active-consumer partitions, each one delivery at a time.',
        },
      ),
    );
  }
  return results;
}

function rate(samples: number[]): string {
  return samples[samples.length - 1].toFixed(0);
}
