import { Injectable } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
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
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { parsePrometheusText, PrometheusSample, sumOf } from './prometheus-text';

const names = topologyNames('metered');
const QUEUE = names.queue('metered');
const MESSAGES = 100;
const failing = (n: number) => n % 20 === 0;

@Injectable()
class MeteredHandler {
  /** One delayed retry, then parked: each poison message shows up as retried once and parked once. */
  @ReliableSubscribe({
    consumer: 'metered',
    routingKey: 'metered.*',
    retry: { maxAttempts: 2, immediateRetries: 0, delaysMs: [200] },
  })
  async handle(payload: { n: number }, _context: DeliveryContext): Promise<void> {
    if (failing(payload.n)) throw new Error(`metered message ${payload.n} cannot be handled`);
  }
}

const ns = useTestNamespace('metrics_run');

describe('/metrics after a scripted run of 100 messages with 5 failures', () => {
  let app: NestExpressApplication;
  let baseUrl: string;

  const scrape = async (): Promise<PrometheusSample[]> =>
    parsePrometheusText(await (await fetch(`${baseUrl}/metrics`)).text());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRoot(
          ns.options({
            serviceName: 'metrics-run',
            topology: { prefix: 'metered' },
            relay: { pollIntervalMs: 250 },
            alerting: { smtpUrl: '' },
          }),
        ),
      ],
      providers: [MeteredHandler],
    }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    // Publishing before the queue is bound would count unroutable publishes as relay failures.
    await app.get(ReliableSubscriptionExplorer).whenConsuming();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('counts 100 published, 95 handled, 5 retried, 5 parked and 5 consume dead letters; nothing pending', async () => {
    const outbox = app.get(OutboxService);
    const db = app.get(DataSource);
    for (let batch = 0; batch < MESSAGES / 10; batch++) {
      await db.transaction(async (manager) => {
        for (let i = 0; i < 10; i++) {
          const n = batch * 10 + i;
          await outbox.add(manager, {
            exchange: names.eventsExchange,
            routingKey: 'metered.created',
            payload: { n },
          });
        }
      });
    }

    const samples = await waitFor(
      async () => {
        const current = await scrape();
        const settled =
          sumOf(current, 'messaging_consumed_total', { queue: QUEUE, result: 'handled' }) +
          sumOf(current, 'messaging_consumed_total', { queue: QUEUE, result: 'parked' });
        return settled === MESSAGES && current;
      },
      { what: '100 deliveries handled or parked', timeoutMs: 60_000, intervalMs: 250 },
    );

    expect({
      published: sumOf(samples, 'messaging_relay_published_total', { exchange: names.eventsExchange }),
      publishFailures: sumOf(samples, 'messaging_relay_failed_total'),
      confirms: sumOf(samples, 'messaging_publish_confirm_seconds_count'),
      handled: sumOf(samples, 'messaging_consumed_total', { queue: QUEUE, result: 'handled' }),
      retried: sumOf(samples, 'messaging_consumed_total', { queue: QUEUE, result: 'retried' }),
      parked: sumOf(samples, 'messaging_consumed_total', { queue: QUEUE, result: 'parked' }),
      duplicates: sumOf(samples, 'messaging_consumed_total', { queue: QUEUE, result: 'duplicate' }),
      consumeDeadLetters: sumOf(samples, 'messaging_dead_letters_total', { origin: 'consume' }),
      publishDeadLetters: sumOf(samples, 'messaging_dead_letters_total', { origin: 'publish' }),
      pending: sumOf(samples, 'messaging_outbox_pending'),
    }).toEqual({
      published: 100,
      publishFailures: 0,
      confirms: 100,
      handled: 95,
      retried: 5,
      parked: 5,
      duplicates: 0,
      consumeDeadLetters: 5,
      publishDeadLetters: 0,
      pending: 0,
    });
    const parkedIds = await db.query<Array<{ n: number }>>(
      "SELECT JSON_EXTRACT(payload, '$.n') AS n FROM dead_letter WHERE origin = 'consume' ORDER BY n",
    );
    expect(parkedIds.map((row) => Number(row.n))).toEqual([0, 20, 40, 60, 80]);
  });
});
