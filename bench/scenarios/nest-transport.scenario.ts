import { Controller, INestApplication, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, MicroserviceOptions, RmqContext, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  applyTopologyPlan,
  CONSUMING_DEFAULTS,
  connectReliableTransport,
  MessagingModule,
  RELIABLE_TRANSPORT,
  ReliableSubscribe,
  ReliableSubscriptionExplorer,
  topologyNames,
  workQueuePlan,
} from '@app/messaging/testing';
import { createTestNamespace, TestNamespace } from '../../libs/messaging/test/support';
import { compare, measure, ScenarioResult } from '../bench-report';
import { BENCH_PAYLOAD, BenchBroker, BenchContext, connectBroker, DrainClock } from '../bench-kit';

/**
 * Three consumers of byte-identical messages in one process, same run: the reliable transport
 * (`@EventPattern`, dedupe + retry), `@ReliableSubscribe` (dedupe + retry) and Nest's own `Transport.RMQ`
 * server (`noAck: false`, a bare handler that acks). One publish fills three queues of the same kind
 * (quorum, DLX, delivery limit, prefetch 50) bound with the same key; each is then drained in turn while
 * the others wait at their gates, and its CPU time per message taken from `process.cpuUsage`.
 */
const PREFIX = 'nestbench';
const names = topologyNames(PREFIX);
const PREFETCH = 50;
const KEY = 'bench.created';
const RMQ_QUEUE = names.queue('nestrmq');
const WARM_UP = 2000;

const clocks = { transport: new DrainClock(), subscribe: new DrainClock(), nestRmq: new DrainClock() };
type Variant = keyof typeof clocks;

@Controller()
class TransportHandlers {
  @EventPattern(KEY, RELIABLE_TRANSPORT)
  async reliable(): Promise<void> {
    await clocks.transport.pass();
  }

  @EventPattern(KEY, Transport.RMQ)
  async bare(@Ctx() ctx: RmqContext): Promise<void> {
    await clocks.nestRmq.pass();
    (ctx.getChannelRef() as { ack(message: unknown): void }).ack(ctx.getMessage());
  }
}

@Injectable()
class SubscribeHandler {
  @ReliableSubscribe({ consumer: 'subscribe', routingKey: KEY })
  async handle(): Promise<void> {
    await clocks.subscribe.pass();
  }
}

export async function nestTransportScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const ns = await createTestNamespace('bench_nest');
  const app = await startApp(ns);
  const broker = await BenchBroker.open(ns.vhost.url);
  try {
    const count = ctx.quick ? 5000 : 20_000;
    const cpu: Record<Variant, number[]> = { transport: [], subscribe: [], nestRmq: [] };
    const rates: Record<Variant, number[]> = { transport: [], subscribe: [], nestRmq: [] };
    const variants: Variant[] = ['transport', 'subscribe', 'nestRmq'];
    const round = async (n: number, record: boolean, first: number) => {
      Object.values(clocks).forEach((clock) => clock.close());
      // Nest's envelope, so Transport.RMQ can route it; the other two route by the routing key.
      const body = { pattern: KEY, data: BENCH_PAYLOAD };
      await broker.publishAll(
        Array.from({ length: n }, () => ({ exchange: names.eventsExchange, routingKey: KEY, body })),
      );
      // The publish's garbage and the deliveries filling the prefetch windows settle before any timing.
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Rotated per repetition, so no variant always drains first (right after the publish).
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(first + i) % variants.length];
        const rate = await clocks[variant].open(n);
        // Let the last acks and dedupe marks land before the next variant is timed.
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (!record) continue;
        rates[variant].push(rate);
        cpu[variant].push(clocks[variant].cpuUsPerMessage);
      }
    };
    await round(WARM_UP, false, 0);
    ctx.progress(`nest-transport: warmed up with ${WARM_UP} messages per consumer`);
    for (let rep = 1; rep <= ctx.reps; rep++) {
      await round(count, true, rep);
      const last = (v: Variant) =>
        `${cpu[v][cpu[v].length - 1].toFixed(1)} µs (${rates[v][rates[v].length - 1].toFixed(0)} msg/s)`;
      ctx.progress(
        `nest-transport rep ${rep}/${ctx.reps}: CPU/msg transport ${last('transport')}, ` +
          `@ReliableSubscribe ${last('subscribe')}, Transport.RMQ ${last('nestRmq')}`,
      );
    }
    // Ratios of speed: baseline CPU per message over the subject's (higher is better, like msg/s).
    const perMs = (samples: number[]) => samples.map((us) => 1e6 / us);
    const extra = { cpuUsPerMessage: cpu, msgPerSecond: rates };
    return [
      compare(
        'nest-transport-vs-subscribe',
        '3b nest transport',
        `@EventPattern on the reliable transport vs @ReliableSubscribe, both dedupe + retry (${count} msgs, prefetch ${PREFETCH}); messages per CPU-second`,
        measure('@ReliableSubscribe', 'msg/CPU-s', perMs(cpu.subscribe)),
        measure('@EventPattern reliable', 'msg/CPU-s', perMs(cpu.transport)),
        { on: 'ratio', op: '>=', value: 0.9, text: '≥ 0.9× @ReliableSubscribe' },
        {
          note: "Same pipeline; the transport adds routing by key and Nest's RPC proxy per delivery.",
          extra,
        },
      ),
      compare(
        'nest-transport-vs-nest-rmq',
        '3b nest transport',
        `@EventPattern on the reliable transport (dedupe + retry) vs Nest's Transport.RMQ (noAck: false, bare handler) (${count} msgs); messages per CPU-second`,
        measure('Transport.RMQ', 'msg/CPU-s', perMs(cpu.nestRmq)),
        measure('@EventPattern reliable', 'msg/CPU-s', perMs(cpu.transport)),
        { on: 'ratio', op: '>=', value: 1.0, text: '≥ 1.0× Transport.RMQ' },
        {
          note: 'Transport.RMQ acks one by one and keeps no dedupe or retry state; the transport batches acks and Redis calls.',
          extra,
        },
      ),
    ];
  } finally {
    await broker.close();
    await app.close();
    await ns.cleanup();
  }
}

async function startApp(ns: TestNamespace): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      MessagingModule.forRoot(
        ns.options({
          topology: { prefix: PREFIX },
          consuming: { prefetch: PREFETCH },
          relay: { enabled: false },
          sockets: { coalesceWrites: true },
        }),
      ),
    ],
    controllers: [TransportHandlers],
    providers: [SubscribeHandler],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  const { server } = connectReliableTransport(app, { consumer: 'transport', prefetch: PREFETCH });
  await declareQueue(ns.vhost.url);
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.RMQ,
    options: {
      urls: [ns.vhost.url],
      queue: RMQ_QUEUE,
      noAck: false,
      prefetchCount: PREFETCH,
      noAssert: true,
      // The socket setting of the library's connection (bench-kit `connectBroker`), for both sides alike.
      socketOptions: { connectionOptions: { noDelay: true } },
    },
  });
  await app.init();
  await app.startAllMicroservices();
  await Promise.all([server.whenConsuming(), app.get(ReliableSubscriptionExplorer).whenConsuming()]);
  return app;
}

/** Transport.RMQ's queue, declared like the reliable ones (quorum, DLX, limit); it only consumes it. */
async function declareQueue(url: string): Promise<void> {
  const connection = await connectBroker(url);
  try {
    await applyTopologyPlan(
      await connection.createChannel(),
      workQueuePlan(names, {
        consumer: 'nestrmq',
        exchange: names.eventsExchange,
        routingKeys: [KEY],
        deliveryLimit: CONSUMING_DEFAULTS.deliveryLimit,
        retryDelaysMs: [],
      }),
    );
  } finally {
    await connection.close();
  }
}
