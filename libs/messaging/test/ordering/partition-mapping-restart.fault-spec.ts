import { connect } from 'amqplib';
import {
  applyTopologyPlan,
  ORDERING_KEY_HEADER,
  partitionedQueuesPlan,
  topologyNames,
} from '@app/messaging/testing';
import { startRabbitApp, stopRabbitApp, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';

const names = topologyNames('mapping');
const spec = { stream: 'orders', consumer: 'billing', routingKeys: ['#'], partitions: 4, deliveryLimit: 10 };
const KEYS = Array.from({ length: 300 }, (_, i) => `order-${i}`);

const ns = useTestNamespace('mapping_restart');

describe('ordered stream topology across a RabbitMQ restart', () => {
  /** Declares the plan as a consumer does on every (re)connect, then reads back each key's partition. */
  async function declareAndMap(): Promise<Map<string, number>> {
    const connection = await connect(ns.vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      await applyTopologyPlan(channel, partitionedQueuesPlan(names, spec));
      for (const key of KEYS) {
        channel.publish(names.orderedExchange(spec.stream), 'order.created', Buffer.from('{}'), {
          headers: { [ORDERING_KEY_HEADER]: key },
          persistent: true,
          mandatory: true,
        });
      }
      await channel.waitForConfirms();
      const mapping = new Map<string, number>();
      // Consumers, not basic.get: single-active-consumer quorum queues refuse basic.get.
      for (let index = 0; index < spec.partitions; index++) {
        await channel.consume(names.partitionQueue(spec.stream, spec.consumer, index), (message) => {
          if (!message) return;
          mapping.set(String(message.properties.headers?.[ORDERING_KEY_HEADER]), index);
          channel.ack(message);
        });
      }
      await waitFor(() => mapping.size === KEYS.length, { what: 'every key read back' });
      return mapping;
    } finally {
      await connection.close();
    }
  }

  it('routes every key to the same partition after the broker restarted and consumers declared again', async () => {
    const before = await declareAndMap();
    expect(new Set(before.values())).toEqual(new Set([0, 1, 2, 3]));
    try {
      await stopRabbitApp();
    } finally {
      await startRabbitApp();
    }
    const after = await declareAndMap();
    const moved = KEYS.filter((key) => after.get(key) !== before.get(key));
    console.log(`partition mapping across a broker restart: ${moved.length} of ${KEYS.length} keys moved`);
    expect(moved).toEqual([]);
  }, 180_000);
});
