import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { INestApplication, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  applyTopologyPlan,
  CONSUMING_DEFAULTS,
  DeliveryContext,
  MessagingModule,
  ReliableSubscribe,
  ReliableSubscriptionExplorer,
  topologyNames,
  workQueuePlan,
} from '@app/messaging/testing';
import type { TestNamespace } from '../libs/messaging/test/support';
import { BENCH_PAYLOAD, BenchBroker, connectBroker, DrainClock } from './bench-kit';
import { CpuCost, CpuMeter, MeteredProcess, serviceProcesses } from './cpu-meter';

export const BENCH_PREFETCH = 50;
export const BENCH_STREAM = 'bench';
/** Billing's configuration (ordered + inbox, an effect row per message) gets a stream of its own. */
export const BENCH_BILLING_STREAM = 'bench-billing';
const names = topologyNames('bench');

/** One clock per subscription of the bench app. */
export const clocks = {
  bare: new DrainClock(),
  reliable: new DrainClock(),
  inbox: new DrainClock(),
  ordered: new DrainClock(),
  billing: new DrainClock(),
};
export type BenchConsumer = keyof typeof clocks;

@Injectable()
class BenchHandlers {
  @ReliableSubscribe({ consumer: 'reliable', routingKey: 'reliable.*' })
  async reliable(): Promise<void> {
    await clocks.reliable.pass();
  }

  @ReliableSubscribe({ consumer: 'inbox', routingKey: 'inbox.*', inbox: true })
  async inbox(): Promise<void> {
    await clocks.inbox.pass();
  }

  @ReliableSubscribe({ consumer: 'ordered', routingKey: '#', ordered: { stream: BENCH_STREAM } })
  async ordered(): Promise<void> {
    await clocks.ordered.pass();
  }

  /** As apps/consumer's billing handler: ordered, inbox, one ledger row through the inbox transaction. */
  @ReliableSubscribe({
    consumer: 'billing',
    routingKey: '#',
    ordered: { stream: BENCH_BILLING_STREAM },
    inbox: true,
  })
  async billing(_payload: unknown, context: DeliveryContext): Promise<void> {
    await context.manager!.query('INSERT INTO bench_ledger (message_id) VALUES (?)', [context.messageId]);
    await clocks.billing.pass();
  }
}

/**
 * One Nest app consuming four queues of the same kind (quorum, same prefetch): a bare golevelup handler
 * (acked when the empty handler returns) and the reliable subscriptions.
 */
export class ConsumerBenchApp {
  private constructor(
    private readonly app: INestApplication,
    private readonly publisher: BenchBroker,
    private readonly services: MeteredProcess[],
  ) {}

  static async start(ns: TestNamespace): Promise<ConsumerBenchApp> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRoot(
          ns.options({
            topology: { prefix: 'bench' },
            consuming: { prefetch: BENCH_PREFETCH },
            relay: { enabled: false },
            sockets: { coalesceWrites: true },
          }),
        ),
      ],
      providers: [BenchHandlers],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    await app
      .get(DataSource)
      .query(
        'CREATE TABLE bench_ledger (id BIGINT AUTO_INCREMENT PRIMARY KEY, message_id VARCHAR(64) NOT NULL)',
      );
    await app.get(ReliableSubscriptionExplorer).whenConsuming();
    await declareBareQueue(ns.vhost.url);
    const amqp = app.get(AmqpConnection);
    await amqp.channel.prefetch(BENCH_PREFETCH);
    await amqp.createSubscriber(
      async () => {
        await clocks.bare.pass();
      },
      { queue: names.queue('bare'), createQueueIfNotExists: false },
      'bare',
    );
    const services = serviceProcesses({ mysql: ns.database.url, amqp: ns.vhost.url, redis: ns.redis.url });
    return new ConsumerBenchApp(app, await BenchBroker.open(ns.vhost.url), services);
  }

  /** Fills the consumer's queue while its handler waits at the gate, then times the drain (msg/s). */
  async drain(consumer: BenchConsumer, count: number, keys = 0): Promise<number> {
    const result = await this.drainWithCpu(consumer, count, keys);
    return result.rate;
  }

  /** As `drain`, plus this process's CPU time per message (robust to other load on the machine). */
  async drainWithCpu(
    consumer: BenchConsumer,
    count: number,
    keys = 0,
  ): Promise<{ rate: number; cpuUsPerMessage: number; cpu: CpuCost }> {
    const clock = clocks[consumer];
    clock.close();
    const meter = await new CpuMeter(this.services).sampleBackground();
    await this.publisher.publishAll(messagesFor(consumer, count, keys));
    // The services' meter spans the drain and the 200 ms after it, not the pre-fill's publishing.
    meter.begin();
    const rate = await clock.open(count);
    // Let the last acks and dedupe marks land before the next measurement starts.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const services = meter.stop(count);
    const cpu: CpuCost = { consumer: clock.cpuUsPerMessage, ...services };
    cpu.total = services.total + clock.cpuUsPerMessage;
    return { rate, cpuUsPerMessage: clock.cpuUsPerMessage, cpu };
  }

  async close(): Promise<void> {
    await this.publisher.close();
    await this.app.close();
  }
}

function messagesFor(
  consumer: BenchConsumer,
  count: number,
  keys: number,
): Parameters<BenchBroker['publishAll']>[0] {
  return Array.from({ length: count }, (_, i) =>
    consumer === 'ordered' || consumer === 'billing'
      ? {
          exchange: names.orderedExchange(consumer === 'billing' ? BENCH_BILLING_STREAM : BENCH_STREAM),
          routingKey: 'order.changed',
          body: BENCH_PAYLOAD,
          orderingKey: `key-${i % keys}`,
        }
      : consumer === 'bare'
        ? { exchange: names.eventsExchange, routingKey: 'bare.created', body: BENCH_PAYLOAD }
        : { exchange: names.eventsExchange, routingKey: `${consumer}.created`, body: BENCH_PAYLOAD },
  );
}

/** The bare handler's queue, declared exactly like a reliable subscription's (quorum, DLX, limit). */
async function declareBareQueue(url: string): Promise<void> {
  const connection = await connectBroker(url);
  try {
    const channel = await connection.createChannel();
    await applyTopologyPlan(
      channel,
      workQueuePlan(names, {
        consumer: 'bare',
        exchange: names.eventsExchange,
        routingKeys: ['bare.*'],
        deliveryLimit: CONSUMING_DEFAULTS.deliveryLimit,
        retryDelaysMs: [],
      }),
    );
  } finally {
    await connection.close();
  }
}
