import { randomUUID } from 'node:crypto';
import { connect, type GetMessage, type Options } from 'amqplib';
import { publishWithConfirm } from '@app/messaging/testing';
import { waitFor } from '../support';
import { useOpened } from '../support/block-fixture';
import { useTestNamespace } from '../support/namespace-fixture';

const ns = useTestNamespace('confirm_pub');

/**
 * The relay publishes without amqplib's `Args.publish` (it costs 5–7 µs per message with headers); the
 * broker must see the very same message as from `channel.publish`, and mandatory returns and confirms
 * must work as before.
 */
describe('publishWithConfirm: the same message as channel.publish, confirmed and returned alike', () => {
  const opened = useOpened('a confirm channel with a bound queue', () => openBoundQueue(ns.vhost.url));
  const confirmed = (publish: (done: (error: Error | null) => void) => void) =>
    new Promise<Error | null>((resolve) => publish(resolve));

  async function take(): Promise<GetMessage> {
    let message: GetMessage | false = false;
    await waitFor(async () => (message = await opened.channel.get('copies', { noAck: true })) !== false, {
      what: 'a message in the queue',
    });
    return message as unknown as GetMessage;
  }

  /** What a consumer can observe of a message, without the per-delivery fields. */
  const seen = (message: GetMessage) => ({
    exchange: message.fields.exchange,
    routingKey: message.fields.routingKey,
    content: message.content.toString(),
    properties: message.properties,
  });

  it('delivers the same exchange, key, body, properties and header table as channel.publish', async () => {
    const content = Buffer.from(JSON.stringify({ order: 42 }));
    const options: Options.Publish = {
      mandatory: true,
      persistent: true,
      messageId: randomUUID(),
      correlationId: 'corr-1',
      timestamp: 1_764_000_000,
      contentType: 'application/json',
      expiration: 60_000,
      priority: 3,
      type: 'order.placed',
      appId: 'orders',
      headers: { 'x-correlation-id': 'corr-1', traceparent: '00-abc-def-01', attempt: 2, replay: false },
    };

    expect(
      await confirmed((done) => opened.channel.publish('events', 'order.placed', content, options, done)),
    ).toBeNull();
    const viaAmqplib = seen(await take());
    expect(
      await confirmed((done) =>
        publishWithConfirm(
          opened.channel,
          { exchange: 'events', routingKey: 'order.placed', content, properties: options },
          true,
          done,
        ),
      ),
    ).toBeNull();
    const viaRelay = seen(await take());

    expect(viaRelay).toEqual(viaAmqplib);
    expect(viaRelay.properties).toMatchObject({ deliveryMode: 2, expiration: '60000', priority: 3 });
    expect(viaRelay.properties.headers).toEqual(options.headers);
  });

  it('reads persistent: false and a missing deliveryMode as amqplib does', async () => {
    for (const persistence of [{ persistent: false }, {}, { deliveryMode: 2 }]) {
      const options = { mandatory: true, messageId: randomUUID(), ...persistence };
      await confirmed((done) =>
        opened.channel.publish('events', 'order.paid', Buffer.from('a'), options, done),
      );
      const viaAmqplib = seen(await take());
      await confirmed((done) =>
        publishWithConfirm(
          opened.channel,
          { exchange: 'events', routingKey: 'order.paid', content: Buffer.from('a'), properties: options },
          true,
          done,
        ),
      );
      expect(seen(await take())).toEqual(viaAmqplib);
    }
  });

  it('returns an unroutable mandatory message before confirming it', async () => {
    const messageId = randomUUID();
    const error = await confirmed((done) =>
      publishWithConfirm(
        opened.channel,
        {
          exchange: 'events',
          routingKey: 'nobody.listens',
          content: Buffer.from('{}'),
          properties: { messageId, headers: { a: 1 } },
        },
        true,
        done,
      ),
    );

    expect(error).toBeNull();
    expect(opened.returned).toContain(messageId);
  });
});

/** A connection with a confirm channel that records returned messages, and a queue bound to `events` for `order.*`. */
async function openBoundQueue(url: string) {
  const connection = await connect(url);
  const channel = await connection.createConfirmChannel();
  const returned: string[] = [];
  channel.on('return', (message: GetMessage) => returned.push(String(message.properties.messageId)));
  await channel.assertExchange('events', 'topic', { durable: false });
  await channel.assertQueue('copies', { durable: false });
  await channel.bindQueue('copies', 'events', 'order.*');
  return { channel, returned, close: () => connection.close() };
}
