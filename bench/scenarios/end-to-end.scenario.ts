import { randomUUID } from 'node:crypto';
import { INestApplication, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  DeliveryContext,
  MessagingModule,
  OutboxService,
  ReliableSubscribe,
  ReliableSubscriptionExplorer,
  topologyNames,
} from '@app/messaging/testing';
import { createTestNamespace, TestNamespace, waitFor } from '../../libs/messaging/test/support';
import { compare, measure, percentile, ScenarioResult } from '../bench-report';
import { BENCH_PAYLOAD, BenchContext, connectBroker, sleep } from '../bench-kit';
import { latenciesMs } from '../../scripts/bench/bench-clock';
import { benchMessageProperties } from '../../scripts/bench/bench-message';

const names = topologyNames('e2e');
const OFFERED_RATE = 200;
/** Concurrent writers (or raw publishers awaiting their confirm) for the maximum-rate run. */
const MAX_CONCURRENCY = 16;

/**
 * Start (before the business transaction, or before the publish), commit (just before the business
 * transaction's COMMIT, or again just before the publish), hand-over (the commit resolved, or the
 * confirm arrived) and handler times, by message id.
 */
class LatencyLog {
  readonly started = new Map<string, number>();
  readonly committing = new Map<string, number>();
  readonly handedOver = new Map<string, number>();
  readonly arrived = new Map<string, number>();

  reset(): void {
    this.started.clear();
    this.committing.clear();
    this.handedOver.clear();
    this.arrived.clear();
  }

  /** Before the business transaction's START (outbox) or the publish (raw) → handler. */
  latenciesMs(): number[] {
    return latenciesMs(this.started, this.arrived);
  }

  /** Just before the business COMMIT (outbox) or the publish (raw) → handler: the clock. */
  fromCommitMs(): number[] {
    return latenciesMs(this.committing, this.arrived);
  }

  /** Start → hand-over: the business transaction's own time (outbox), or publish → confirm (raw). */
  handOverMs(): number[] {
    return latenciesMs(this.started, this.handedOver);
  }
}

const log = new LatencyLog();

@Injectable()
class EndToEndHandler {
  @ReliableSubscribe({ consumer: 'e2e', routingKey: 'e2e.*' })
  async handle(_payload: unknown, context: DeliveryContext): Promise<void> {
    log.arrived.set(context.messageId, performance.now());
  }
}

interface Run {
  latencies: number[];
  fromCommit: number[];
  handOver: number[];
  rate: number;
}

/** Which latencies of a run: from before the transaction (or publish), or from just before COMMIT. */
type Clock = 'latencies' | 'fromCommit';

/** A way to send one message and wait until it is "committed" (subject) or handed over (baseline). */
type Send = (messageId: string) => Promise<void>;

/**
 * Scenario 2: business commit → relay → broker → reliable handler, against raw publish → consume on
 * the same broker (quorum queue, manual ack), at a paced 200 msg/s and at the maximum a fixed number
 * of concurrent writers reaches.
 */
export async function endToEndScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const ns = await createTestNamespace('bench_e2e');
  const app = await startApp(ns);
  const raw = await RawPath.open(ns.vhost.url);
  const seconds = ctx.quick ? 3 : 10;
  const outbox = app.get(OutboxService);
  const dataSource = app.get(DataSource);
  const commit: Send = (messageId) =>
    dataSource.transaction(async (manager) => {
      await outbox.add(manager, {
        exchange: names.eventsExchange,
        routingKey: 'e2e.created',
        payload: BENCH_PAYLOAD,
        messageId,
      });
      // TypeORM sends COMMIT as soon as this callback resolves: the commit clock starts here.
      log.committing.set(messageId, performance.now());
    });
  const publish: Send = (messageId) => {
    // For raw there is no transaction: its commit clock is its start, just before the publish.
    log.committing.set(messageId, log.started.get(messageId)!);
    return raw.publish(messageId);
  };
  try {
    const paced = { raw: [] as Run[], outbox: [] as Run[] };
    const max = { raw: [] as Run[], outbox: [] as Run[] };
    // Four timed runs per repetition: two are enough in --quick.
    const reps = ctx.quick ? Math.min(ctx.reps, 2) : ctx.reps;
    for (let rep = 1; rep <= reps; rep++) {
      paced.raw.push(await measureRun(ctx, 'raw', publish, { rate: OFFERED_RATE, seconds }));
      paced.outbox.push(await measureRun(ctx, 'outbox', commit, { rate: OFFERED_RATE, seconds }));
      max.raw.push(await measureRun(ctx, 'raw', publish, { seconds }));
      max.outbox.push(await measureRun(ctx, 'outbox', commit, { seconds }));
      ctx.progress(
        `e2e rep ${rep}/${reps}: ${OFFERED_RATE}/s p50 raw ${p(paced.raw, 50)} / outbox ${p(paced.outbox, 50)} ms (from its commit ${p(paced.outbox, 50, 'fromCommit')} ms), p99 raw ${p(paced.raw, 99)} / outbox ${p(paced.outbox, 99)} ms; max raw ${max.raw.at(-1)!.rate.toFixed(0)} / outbox ${max.outbox.at(-1)!.rate.toFixed(0)} msg/s`,
      );
    }
    const at = (runs: Run[], q: number, clock: Clock = 'latencies') =>
      runs.map((run) => percentile(run[clock], q));
    // Start → commit resolved (outbox) or → confirm (raw), p50 of each repetition.
    const handOverP50Ms = {
      raw: paced.raw.map((run) => percentile(run.handOver, 50)),
      outbox: paced.outbox.map((run) => percentile(run.handOver, 50)),
    };
    const medianMs = (samples: number[]) => measure('', 'ms', samples).median.toFixed(1);
    return [
      compare(
        'e2e-200-p50',
        '2 end to end',
        `p50 latency at ${OFFERED_RATE} msg/s: business commit → handler vs raw publish → consume`,
        measure('raw p50', 'ms', at(paced.raw, 50)),
        measure('outbox p50', 'ms', at(paced.outbox, 50, 'fromCommit')),
        { on: 'ratio', op: '<=', value: 1.5, text: '≤ 1.5× raw p50' },
        {
          note: `The issue's clock: from just before the business transaction's COMMIT (its INSERT already done) and from just before the raw publish. COMMIT (fsync) → handed to the relay at commit, no claim (unkeyed row, ADR 0210) → publish + confirm → handler (dedupe: 2 Redis round trips); raw: publish + confirm → handler. The next row starts the outbox clock earlier, before START TRANSACTION.`,
          extra: { fromCommitP99Ms: at(paced.outbox, 99, 'fromCommit') },
        },
      ),
      compare(
        'e2e-200-p50-transaction',
        '2 end to end',
        `p50 latency at ${OFFERED_RATE} msg/s: business transaction start → handler vs raw publish → consume`,
        measure('raw p50', 'ms', at(paced.raw, 50)),
        measure('outbox p50', 'ms', at(paced.outbox, 50)),
        { on: 'ratio', op: '<=', value: 1.5, text: '≤ 1.5× raw p50' },
        {
          note: `The stricter clock: from before START TRANSACTION, so the business INSERT's round trip counts too. Of the outbox p50, the business transaction itself took ${medianMs(handOverP50Ms.outbox)} ms (p50 of start → commit resolved); raw publish → confirm p50 ${medianMs(handOverP50Ms.raw)} ms.`,
          extra: { handOverP50Ms },
        },
      ),
      compare(
        'e2e-200-p99',
        '2 end to end',
        `p99 latency at ${OFFERED_RATE} msg/s`,
        measure('raw p99', 'ms', at(paced.raw, 99)),
        measure('outbox p99', 'ms', at(paced.outbox, 99)),
        { on: 'subject', op: '<=', value: 50, text: 'p99 ≤ 50 ms' },
        { extra: { p95: { raw: at(paced.raw, 95), outbox: at(paced.outbox, 95) } } },
      ),
      compare(
        'e2e-max-rate',
        '2 end to end',
        `maximum rate with ${MAX_CONCURRENCY} concurrent writers (transactions vs awaited publishes)`,
        measure(
          'raw publish→consume',
          'msg/s',
          max.raw.map((r) => r.rate),
        ),
        measure(
          'commit→handler',
          'msg/s',
          max.outbox.map((r) => r.rate),
        ),
        null,
        {
          note: 'Writers are bound by one MySQL commit each (fsync); raw publishers by one confirm round trip each.',
          extra: {
            p50: { raw: at(max.raw, 50), outbox: at(max.outbox, 50) },
            p99: { raw: at(max.raw, 99), outbox: at(max.outbox, 99) },
          },
        },
      ),
    ];
  } finally {
    await raw.close();
    await app.close();
    await ns.cleanup();
  }
}

/** Paced at `rate` msg/s when given, else a closed loop of MAX_CONCURRENCY senders. */
async function measureRun(
  ctx: BenchContext,
  what: string,
  send: Send,
  load: { rate?: number; seconds: number },
): Promise<Run> {
  log.reset();
  const started = performance.now();
  const deadline = started + load.seconds * 1000;
  const sends: Promise<void>[] = [];
  const one = async () => {
    const id = randomUUID();
    // Both clocks start here, just before the business transaction begins (outbox) or just before the
    // publish call (raw), and stop when the handler starts; the transaction's own time counts for the
    // outbox. The commit clock (log.committing) starts inside `send`, just before the COMMIT.
    log.started.set(id, performance.now());
    await send(id);
    log.handedOver.set(id, performance.now());
  };
  if (load.rate) {
    const total = Math.round(load.rate * load.seconds);
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / load.rate - performance.now();
      if (wait > 1) await sleep(wait);
      sends.push(one());
    }
  } else {
    const worker = async () => {
      while (performance.now() < deadline) await one();
    };
    sends.push(...Array.from({ length: MAX_CONCURRENCY }, worker));
  }
  await Promise.all(sends);
  const expected = log.started.size;
  await waitFor(() => log.arrived.size >= expected, {
    what: `${expected} ${what} messages handled`,
    timeoutMs: 120_000,
    intervalMs: 10,
  });
  const lastArrival = Math.max(...log.arrived.values());
  const latencies = log.latenciesMs();
  if (latencies.length !== expected)
    ctx.progress(`warning: ${expected - latencies.length} latencies missing`);
  return {
    latencies,
    fromCommit: log.fromCommitMs(),
    handOver: log.handOverMs(),
    rate: expected / ((lastArrival - started) / 1000),
  };
}

async function startApp(ns: TestNamespace): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      MessagingModule.forRoot(ns.options({ topology: { prefix: 'e2e' }, sockets: { coalesceWrites: true } })),
    ],
    providers: [EndToEndHandler],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  await app.get(ReliableSubscriptionExplorer).whenConsuming();
  return app;
}

/** The baseline path: a confirm channel publishing, a manual-ack consumer with the same prefetch. */
class RawPath {
  private constructor(
    private readonly close_: () => Promise<void>,
    readonly publish: Send,
  ) {}

  static async open(url: string): Promise<RawPath> {
    const connection = await connectBroker(url);
    // Without a listener a broker restart would kill the whole run instead of failing this scenario.
    connection.on('error', () => undefined);
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    // Likewise for its channels: a closed channel then fails this scenario, not the whole run.
    publisher.on('error', () => undefined);
    consumer.on('error', () => undefined);
    const queue = 'e2e.raw';
    await consumer.assertExchange(queue, 'fanout', { durable: true });
    await consumer.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await consumer.bindQueue(queue, queue, '');
    await consumer.prefetch(50);
    await consumer.consume(queue, (message) => {
      if (!message) return;
      log.arrived.set(String(message.properties.messageId), performance.now());
      consumer.ack(message);
    });
    const body = Buffer.from(JSON.stringify(BENCH_PAYLOAD));
    const publish: Send = (messageId) =>
      new Promise((resolve, reject) =>
        publisher.publish(
          queue,
          '',
          body,
          { ...benchMessageProperties(messageId), mandatory: true },
          (error: Error | null) => (error ? reject(error) : resolve()),
        ),
      );
    return new RawPath(() => connection.close(), publish);
  }

  close(): Promise<void> {
    return this.close_();
  }
}

/** A percentile of the last repetition, for the progress line. */
function p(runs: Run[], q: number, clock: Clock = 'latencies'): string {
  return percentile(runs[runs.length - 1][clock], q).toFixed(1);
}
