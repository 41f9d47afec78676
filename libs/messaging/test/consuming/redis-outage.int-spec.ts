import { Injectable } from '@nestjs/common';
import { DeliveryContext, MessagingMetrics, ReliableSubscribe, topologyNames } from '@app/messaging/testing';
import { managementApi, startPrivateRedis, TestNamespace, waitFor } from '../support';
import { useOpened } from '../support/block-fixture';
import { useTestNamespace } from '../support/namespace-fixture';
import { useConsumingApp } from '../support/messaging-app';
import { useRawPublisher } from './raw-publisher';

jest.setTimeout(120_000);

const PREFIX = 'outage';
const handled: string[] = [];

@Injectable()
class OutageHandler {
  @ReliableSubscribe({ consumer: 'outage', routingKey: 'work.*' })
  async handle(_payload: unknown, context: DeliveryContext): Promise<void> {
    handled.push(context.messageId);
  }
}

const ns = useTestNamespace('redis_outage');
// At the top level, so it is destroyed only after the describe's app closed.
const redis = useOpened('the private Redis', startPrivateRedis, (opened) => opened.destroy());

describe('Redis stopped while consuming (fail closed)', () => {
  const app = useConsumingApp(ns, { providers: [OutageHandler] }, () => ({
    redisUrl: redis.url,
    topology: { prefix: PREFIX },
    relay: { enabled: false },
  }));
  const publisher = useRawPublisher(ns);

  it('handles nothing and acks nothing while Redis is down, then handles everything once', async () => {
    const exchange = topologyNames(PREFIX).eventsExchange;
    const batch = (from: number) =>
      Array.from({ length: 50 }, (_, i) => ({
        exchange,
        routingKey: 'work.created',
        body: { i: from + i },
        messageId: `m-${from + i}`,
      }));
    await publisher.publishAll(batch(0));
    await waitFor(() => handled.length === 50, { what: 'the first 50 handled' });
    const failClosed = async () => {
      const { values } = await app.get(MessagingMetrics).redisFailClosed.get();
      return values.reduce((sum, v) => sum + v.value, 0);
    };
    try {
      await redis.stop();
      await publisher.publishAll(batch(50));
      await waitFor(async () => (await failClosed()) >= 3, {
        what: 'deliveries refused while Redis is down',
      });
      expect(handled).toHaveLength(50);
      // Held, not acked: the broker sees the whole second batch delivered and unacknowledged.
      await waitFor(async () => (await unacknowledged(ns, topologyNames(PREFIX).queue('outage'))) === 50, {
        what: '50 deliveries held unacknowledged',
      });
      expect(handled).toHaveLength(50);
    } finally {
      await redis.start();
    }
    await waitFor(() => handled.length >= 100, {
      what: 'all 100 handled after Redis returned',
      timeoutMs: 60_000,
    });
    expect(new Set(handled).size).toBe(100);
    expect(handled).toHaveLength(100);
  });
});

async function unacknowledged(ns: TestNamespace, queue: string): Promise<number> {
  const path = `/api/queues/${encodeURIComponent(ns.vhost.name)}/${encodeURIComponent(queue)}`;
  const info = (await managementApi('GET', path)) as { messages_unacknowledged?: number };
  return info.messages_unacknowledged ?? 0;
}
