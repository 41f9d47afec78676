import { randomUUID } from 'node:crypto';
import { connect, ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { managementApi } from '../../libs/messaging/test/support';

/** The demo's broker names (topology prefix `app`, stream `orders`, consumer `billing`, 4 partitions). */
export const ORDERS_EXCHANGE = 'app.orders.ordered';
export const billingPartition = (index: number) => `app.orders.billing.p${index}`;

/** A well-formed order event body, as the producer writes it; `overrides` make it bad. */
export function orderEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'order.created',
    orderId: randomUUID(),
    customerId: 'raw',
    amountCents: 100,
    seq: 1,
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * A plain amqplib publisher that goes around the outbox: what a misbehaving service, a shovel or a
 * human with the management UI can put on the stream.
 */
export class RawPublisher {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async open(url: string): Promise<RawPublisher> {
    const connection = await connect(url);
    const channel = await connection.createConfirmChannel();
    return new RawPublisher(connection, channel);
  }

  /** To the ordered stream with an ordering key, as the relay publishes; waits for the confirm. */
  async toStream(
    routingKey: string,
    body: Buffer | string,
    properties: Options.Publish = {},
    orderingKey = randomUUID(),
  ): Promise<void> {
    const content = typeof body === 'string' ? Buffer.from(body) : body;
    this.channel.publish(ORDERS_EXCHANGE, routingKey, content, {
      persistent: true,
      ...properties,
      headers: { 'x-ordering-key': orderingKey, ...properties.headers },
    });
    await this.channel.waitForConfirms();
  }

  /** Straight into a queue through the default exchange, bypassing outbox, relay and exchanges. */
  async toQueue(queue: string, body: string, properties: Options.Publish): Promise<void> {
    this.channel.sendToQueue(queue, Buffer.from(body), { persistent: true, ...properties });
    await this.channel.waitForConfirms();
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}

interface ConsumerInfo {
  queue: { name: string };
}

/** Queues of the vhost that have a consumer right now. */
export async function consumedQueues(vhost: string): Promise<string[]> {
  const consumers = (await managementApi(
    'GET',
    `/api/consumers/${encodeURIComponent(vhost)}`,
  )) as ConsumerInfo[];
  return [...new Set(consumers.map((c) => c.queue.name))].sort();
}
