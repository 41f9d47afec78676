import { ClientProxy, ClientsModule } from '@nestjs/microservices';
import { connect, ChannelModel, ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { OutboxClientProxy, OutboxRecordBuilder, OutboxService, TopologyService } from '@app/messaging';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { useMessagingApp } from '../support/messaging-app';

const CLIENT = 'REMINDERS_CLIENT';

const ns = useTestNamespace('scheduled-client');

describe('Scheduled emit through the outbox ClientProxy (ADR 0301)', () => {
  const app = useMessagingApp(
    ns,
    { imports: [ClientsModule.register([{ name: CLIENT, customClass: OutboxClientProxy }])] },
    { topology: { prefix: 'sched' }, relay: { pollIntervalMs: 200 } },
  );
  let connection: ChannelModel;
  const received: Array<{ message: ConsumeMessage; at: number }> = [];

  beforeAll(async () => {
    const exchange = await app.get(TopologyService).declareEventsExchange();
    connection = await connect(ns.vhost.url);
    const channel = await connection.createChannel();
    await channel.assertQueue('sched.observer', { durable: false });
    await channel.bindQueue('sched.observer', exchange, 'invoice.*');
    await channel.consume('sched.observer', (m) => m && received.push({ message: m, at: Date.now() }), {
      noAck: true,
    });
  });

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
  });

  /**
   * What a service of the app does (transport/outbox-client.int-spec.ts has one): emits a reminder
   * through the outbox client inside a transaction, scheduled `delayMs` ahead; returns its message id.
   */
  const remind = (invoiceId: string, delayMs: number): Promise<string> =>
    app.get(OutboxService).transaction(async () => {
      const record = new OutboxRecordBuilder({ invoiceId }).setSchedule(delayMs).build();
      return lastValueFrom(app.get<ClientProxy>(CLIENT).emit<string>('invoice.reminder', record));
    });

  it('holds an emit() scheduled with setSchedule until it is due, then publishes it once', async () => {
    const messageId = await remind('inv-9', 1500);
    const [row] = await app
      .get(DataSource)
      .query('SELECT held, deliver_at FROM outbox_message WHERE message_id = ?', [messageId]);
    expect(Number(row.held)).toBe(1);
    const dueAt = new Date(row.deliver_at).getTime();

    const arrival = await waitFor(() => received.find((r) => r.message.properties.messageId === messageId), {
      what: 'the scheduled reminder',
    });
    expect(arrival.at).toBeGreaterThanOrEqual(dueAt);
    expect(JSON.parse(arrival.message.content.toString())).toEqual({ invoiceId: 'inv-9' });
  });
});
