/**
 * Consumer throughput: a reliable subscription (dedupe + retry policy, and with inbox) against a bare
 * golevelup handler on the same queue, same prefetch. Indicative only (2 shared cores).
 * Run: node -r ./libs/messaging/test/support/register-ts.js bench/consume-throughput.ts [messages]
 */
import 'reflect-metadata';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  DeliveryContext,
  MessagingMetrics,
  MessagingModule,
  ReliableSubscribe,
  ReliableSubscriptionExplorer,
  topologyNames,
} from '../libs/messaging/src';
import { RawPublisher } from '../libs/messaging/test/consuming/raw-publisher';
import { createTestNamespace, waitFor } from '../libs/messaging/test/support';

const TOTAL = Number(process.argv[2] ?? 5000);
const PREFETCH = 50;
const names = topologyNames('bench');

@Injectable()
class BenchHandlers {
  @ReliableSubscribe({ consumer: 'reliable', routingKey: 'reliable.*' })
  async reliable(_payload: unknown, _context: DeliveryContext): Promise<void> {}

  @ReliableSubscribe({ consumer: 'inbox', routingKey: 'inbox.*', inbox: true })
  async inbox(_payload: unknown, _context: DeliveryContext): Promise<void> {}
}

async function main(): Promise<void> {
  const ns = await createTestNamespace('bench_consume');
  const moduleRef = await Test.createTestingModule({
    imports: [
      MessagingModule.forRoot(
        ns.options({
          topology: { prefix: 'bench' },
          consuming: { prefetch: PREFETCH },
          outbox: { relayEnabled: false },
        }),
      ),
    ],
    providers: [BenchHandlers],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  const explorer = app.get(ReliableSubscriptionExplorer);
  await explorer.whenConsuming();
  const publisher = await RawPublisher.open(ns.vhost.url);
  const metrics = app.get(MessagingMetrics);
  const settled = async (queue: string) =>
    (await metrics.consumed.get()).values
      .filter((v) => v.labels.queue === queue)
      .reduce((s, v) => s + v.value, 0);
  const batch = (routingKey: string) =>
    Array.from({ length: TOTAL }, () => ({
      exchange: names.eventsExchange,
      routingKey,
      body: { amount: 42 },
    }));
  try {
    const results: Record<string, number> = {};
    for (const consumer of ['reliable', 'inbox']) {
      await publisher.publishAll(batch(`${consumer}.created`));
      const started = Date.now();
      await waitFor(async () => (await settled(names.queue(consumer))) >= TOTAL, {
        what: `${consumer} drained`,
        timeoutMs: 600_000,
        intervalMs: 20,
      });
      results[consumer] = TOTAL / ((Date.now() - started) / 1000);
    }

    // The same queue, now consumed by a bare golevelup handler: acked as soon as the empty handler returns.
    await explorer.beforeApplicationShutdown();
    await publisher.publishAll(batch('reliable.created'));
    let bare = 0;
    const started = Date.now();
    const amqp = app.get(AmqpConnection);
    await amqp.channel.prefetch(PREFETCH);
    await amqp.createSubscriber(
      async () => {
        bare++;
      },
      { queue: names.queue('reliable'), createQueueIfNotExists: false },
      'bare',
    );
    await waitFor(() => bare >= TOTAL, { what: 'bare drained', timeoutMs: 600_000, intervalMs: 20 });
    results.bare = TOTAL / ((Date.now() - started) / 1000);

    console.log(`consume throughput, ${TOTAL} messages, prefetch ${PREFETCH}:`);
    console.log(`  bare golevelup handler            ${results.bare.toFixed(0)} msg/s`);
    console.log(`  reliable (dedupe + retry policy)  ${results.reliable.toFixed(0)} msg/s`);
    console.log(`  reliable + inbox (MySQL tx/msg)   ${results.inbox.toFixed(0)} msg/s`);
  } finally {
    await publisher.close();
    await app.close();
    await ns.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
