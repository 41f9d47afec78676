import { Channel, ChannelModel, connect, ConsumeMessage } from 'amqplib';
import { createIsolatedVhost, IsolatedVhost, waitFor } from '../support';

/**
 * What key-level concurrency in a partition (ADR 0208) relies on: in what order does a partition queue
 * (quorum, single active consumer, delivery limit, as `partitionedQueuesPlan` declares it) hand back
 * messages its consumer had not acked? Recorded in docs/broker-behaviour.md.
 */
const QUEUE = 'p0';
const ARGS = { 'x-queue-type': 'quorum', 'x-single-active-consumer': true, 'x-delivery-limit': 10 };

describe('a partition queue returns unacked messages', () => {
  let vhost: IsolatedVhost;
  const connections: ChannelModel[] = [];

  beforeAll(async () => {
    vhost = await createIsolatedVhost('return_order');
  });

  afterAll(async () => {
    for (const c of connections) await c.close().catch(() => undefined);
    await vhost?.delete();
  });

  const open = async (prefetch: number): Promise<{ connection: ChannelModel; channel: Channel }> => {
    const connection = await connect(vhost.url);
    connections.push(connection);
    const channel = await connection.createChannel();
    await channel.assertQueue(QUEUE, { durable: true, arguments: ARGS });
    await channel.prefetch(prefetch);
    return { connection, channel };
  };

  const publish = async (from: number, to: number) => {
    const connection = await connect(vhost.url);
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(QUEUE, { durable: true, arguments: ARGS });
    for (let i = from; i <= to; i++) channel.sendToQueue(QUEUE, Buffer.from(String(i)));
    await channel.waitForConfirms();
    await connection.close();
  };

  const collect = async (channel: Channel, into: ConsumeMessage[]) =>
    channel.consume(QUEUE, (message) => message && into.push(message));

  const seqs = (messages: ConsumeMessage[]) => messages.map((m) => Number(m.content.toString()));
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('to the next active consumer in queue order, ahead of messages never delivered', async () => {
    await publish(1, 20);
    const first = await open(20);
    const firstGot: ConsumeMessage[] = [];
    await collect(first.channel, firstGot);
    await waitFor(() => firstGot.length === 20, { what: 'the prefetch window filled' });
    // Settled out of order, as keys running side by side settle: 1-3, 5, 8 and 13 acked.
    const acked = [1, 2, 3, 5, 8, 13];
    for (const m of firstGot) if (acked.includes(Number(m.content.toString()))) first.channel.ack(m);
    // Beyond the window: never delivered to the first consumer (it may take 6 of them now).
    await publish(21, 40);

    const standby = await open(100);
    const standbyGot: ConsumeMessage[] = [];
    await collect(standby.channel, standbyGot);
    await waitFor(() => firstGot.length === 26, { what: 'the freed window slots refilled' });
    // The active consumer dies without settling anything more (a kill closes its connection).
    await first.connection.close();
    await waitFor(() => standbyGot.length === 40 - acked.length, { what: 'everything at the standby' });

    const unacked = range(1, 26).filter((s) => !acked.includes(s));
    expect(seqs(standbyGot)).toEqual([...unacked, ...range(27, 40)]);
    expect(standbyGot.map((m) => m.fields.redelivered)).toEqual([
      ...unacked.map(() => true),
      ...range(27, 40).map(() => false),
    ]);
    // What the isolation of suspects (redelivered) and the delivery limit see: one return each.
    expect(
      standbyGot.slice(0, unacked.length).map((m) => m.properties.headers?.['x-delivery-count']),
    ).toEqual(unacked.map(() => 1));
    standby.channel.ackAll();
  });
});
