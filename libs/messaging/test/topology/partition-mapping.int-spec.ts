import { connect, ChannelModel, ConfirmChannel } from 'amqplib';
import {
  applyTopologyPlan,
  ORDERING_KEY_HEADER,
  partitionedQueuesPlan,
  topologyNames,
} from '@app/messaging/testing';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';

jest.setTimeout(60_000);

const names = topologyNames('mapping');
const spec = { stream: 'orders', consumer: 'billing', routingKeys: ['#'], partitions: 4, deliveryLimit: 10 };
const KEYS = Array.from({ length: 300 }, (_, i) => `order-${i}`);

const ns = useTestNamespace('partition_mapping');

describe('ordered stream topology', () => {
  let connection: ChannelModel;
  let channel: ConfirmChannel;

  beforeAll(async () => {
    connection = await connect(ns.vhost.url);
    channel = await connection.createConfirmChannel();
  });

  afterAll(async () => {
    await connection?.close();
  });

  /** Publishes one message per key and reads back which partition queue each key landed in. */
  async function keyToPartition(): Promise<Map<string, number>> {
    for (const key of KEYS) {
      channel.publish(names.orderedExchange(spec.stream), 'order.created', Buffer.from('{}'), {
        messageId: key,
        headers: { [ORDERING_KEY_HEADER]: key },
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    const mapping = new Map<string, number>();
    let repeated = 0;
    // Consumers, not basic.get: single-active-consumer quorum queues refuse basic.get.
    const tags: string[] = [];
    for (let index = 0; index < spec.partitions; index++) {
      const queue = names.partitionQueue(spec.stream, spec.consumer, index);
      const { consumerTag } = await channel.consume(queue, (message) => {
        if (!message) return;
        const key = String(message.properties.headers?.[ORDERING_KEY_HEADER]);
        if (mapping.has(key)) repeated++;
        mapping.set(key, index);
        channel.ack(message);
      });
      tags.push(consumerTag);
    }
    await waitFor(() => mapping.size === KEYS.length, { what: 'every key read back' });
    for (const tag of tags) await channel.cancel(tag);
    expect(repeated).toBe(0);
    return mapping;
  }

  it('routes each key to one partition, the same one after the topology is deleted and declared again', async () => {
    const plan = partitionedQueuesPlan(names, spec);
    await applyTopologyPlan(channel, plan);
    await applyTopologyPlan(channel, plan);
    const before = await keyToPartition();
    expect(before.size).toBe(KEYS.length);
    expect(new Set(before.values())).toEqual(new Set([0, 1, 2, 3]));

    for (const queue of plan.queues) await channel.deleteQueue(queue.name);
    for (const exchange of plan.exchanges) await channel.deleteExchange(exchange.name);
    await applyTopologyPlan(channel, plan);

    const after = await keyToPartition();
    expect(after).toEqual(before);
  });

  it('declares partition queues as quorum queues with single active consumer and a dead-letter exchange', () => {
    const plan = partitionedQueuesPlan(names, spec);
    const partitions = plan.queues.filter((q) => q.name.includes('.p'));
    expect(partitions.map((q) => q.name)).toEqual(
      [0, 1, 2, 3].map((i) => names.partitionQueue('orders', 'billing', i)),
    );
    for (const queue of partitions) {
      expect(queue.arguments).toMatchObject({
        'x-queue-type': 'quorum',
        'x-single-active-consumer': true,
        'x-dead-letter-exchange': names.deadLetterExchange(names.partitionGroup('orders', 'billing')),
      });
    }
    expect(plan.exchanges).toContainEqual({
      name: names.partitionExchange('orders', 'billing'),
      type: 'x-consistent-hash',
      arguments: { 'hash-header': ORDERING_KEY_HEADER },
      durable: false,
    });
  });
});
