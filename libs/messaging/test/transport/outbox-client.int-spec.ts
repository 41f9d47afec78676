import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy, ClientsModule } from '@nestjs/microservices';
import { ConfirmChannel, connect, ChannelModel, ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import {
  OutboxClientProxy,
  OutboxRecordBuilder,
  OutboxSendNotSupportedError,
  OutboxService,
  OutboxTransactionRequiredError,
  TopologyService,
} from '@app/messaging';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { useMessagingApp } from '../support/messaging-app';
import { queuesIdle, waitForSteady } from '../support/quiescence';

jest.setTimeout(60_000);

const ORDERS_CLIENT = 'ORDERS_CLIENT';
const STREAM = 'orders';

@Injectable()
class Orders {
  constructor(
    private readonly outbox: OutboxService,
    @Inject(ORDERS_CLIENT) private readonly client: ClientProxy,
  ) {}

  place(orderId: string, fail: boolean): Promise<string> {
    return this.outbox.transaction(async (manager) => {
      await manager.query('INSERT INTO test_order (id) VALUES (?)', [orderId]);
      const record = new OutboxRecordBuilder({ orderId })
        .setKey(orderId)
        .setHeaders({ tenant: 'eu' })
        .build();
      const messageId = await lastValueFrom(this.client.emit<string>('order.placed', record));
      if (fail) throw new Error('payment declined');
      return messageId;
    });
  }

  emitOutside(): Promise<unknown> {
    return lastValueFrom(this.client.emit('order.placed', { orderId: 'loose' }));
  }

  /** emit() called for its side effect only, as Nest's own emit() allows: nobody subscribes. */
  emitOutsideUnobserved(): void {
    this.client.emit('order.placed', { orderId: 'unobserved' });
  }

  ask(): Promise<unknown> {
    return lastValueFrom(this.client.send('order.price', { orderId: 'x' }));
  }
}

const ns = useTestNamespace('outbox-client');

describe('outbox ClientProxy: emit() commits with the business transaction', () => {
  const app = useMessagingApp(
    ns,
    {
      imports: [
        ClientsModule.register([
          { name: ORDERS_CLIENT, customClass: OutboxClientProxy, options: { stream: STREAM } },
        ]),
      ],
      providers: [Orders],
    },
    { topology: { prefix: 'client' }, relay: { pollIntervalMs: 200 } },
  );
  let orders: Orders;
  let connection: ChannelModel;
  let channel: ConfirmChannel;
  const received: ConsumeMessage[] = [];
  const queue = 'client-test.observer';

  beforeAll(async () => {
    orders = app.get(Orders);
    const exchange = await app.get(TopologyService).declareOrderedStream(STREAM);
    await app.get(DataSource).query('CREATE TABLE test_order (id VARCHAR(64) PRIMARY KEY)');
    connection = await connect(ns.vhost.url);
    channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: false });
    await channel.bindQueue(queue, exchange, '#');
    await channel.consume(queue, (message) => message && received.push(message), { noAck: true });
  });

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
  });

  const rows = (sql: string) => app.get(DataSource).query(sql);
  const quiet = () =>
    waitForSteady(
      async () =>
        (await queuesIdle(ns.vhost.name, [queue])) &&
        Number((await rows('SELECT COUNT(*) AS n FROM outbox_message WHERE sent_at IS NULL'))[0].n) === 0,
      { what: 'outbox drained and the observer queue empty' },
    );

  it('publishes nothing when the transaction around emit() rolls back', async () => {
    await expect(orders.place('rolled-back', true)).rejects.toThrow('payment declined');
    expect(await rows("SELECT id FROM test_order WHERE id = 'rolled-back'")).toEqual([]);
    expect(await rows('SELECT id FROM outbox_message')).toEqual([]);
    await quiet();
    expect(received.filter((m) => m.content.toString().includes('rolled-back'))).toEqual([]);
  });

  it('publishes a committed emit() exactly once, with its ordering key and headers', async () => {
    const messageId = await orders.place('committed', false);
    await waitFor(() => received.some((m) => m.properties.messageId === messageId), {
      what: 'the committed event published',
    });
    await quiet();
    const copies = received.filter((m) => m.properties.messageId === messageId);
    expect(copies).toHaveLength(1);
    const [message] = copies;
    expect(message.fields.routingKey).toBe('order.placed');
    expect(message.fields.exchange).toBe('client.orders.ordered');
    expect(message.properties.headers).toMatchObject({ 'x-ordering-key': 'committed', tenant: 'eu' });
    expect(JSON.parse(message.content.toString())).toEqual({ orderId: 'committed' });
  });

  it('refuses emit() outside a transaction and send(), saying what to do', async () => {
    const outside = orders.emitOutside();
    await expect(outside).rejects.toBeInstanceOf(OutboxTransactionRequiredError);
    await expect(outside).rejects.toThrow(/outbox\.transaction/);
    const ask = orders.ask();
    await expect(ask).rejects.toBeInstanceOf(OutboxSendNotSupportedError);
    await expect(ask).rejects.toThrow(/Use emit\(\)/);
    expect(await rows("SELECT id FROM outbox_message WHERE payload LIKE '%loose%'")).toEqual([]);
  });

  it('keeps a refused emit() that nobody subscribed to from becoming an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      orders.emitOutsideUnobserved();
      // Node reports unhandled rejections once the microtask queue has drained, before the next macrotask.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
    expect(await rows("SELECT id FROM outbox_message WHERE payload LIKE '%unobserved%'")).toEqual([]);
  });
});
