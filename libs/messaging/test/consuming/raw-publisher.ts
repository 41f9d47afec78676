import { randomUUID } from 'node:crypto';
import { connect, ChannelModel, ConfirmChannel } from 'amqplib';
import type { TestNamespace } from '../support';
import { useOpened } from '../support/block-fixture';

export interface RawMessage {
  exchange: string;
  routingKey: string;
  /** Serialised as JSON unless a Buffer. */
  body: unknown;
  messageId?: string | null;
  orderingKey?: string;
  headers?: Record<string, unknown>;
}

/**
 * Publishes like the relay does (messageId, timestamp, JSON, persistent, correlationId, headers,
 * `x-ordering-key`), on a confirm channel, so tests can feed consumers without the outbox.
 */
export class RawPublisher {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async open(url: string): Promise<RawPublisher> {
    const connection = await connect(url);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return new RawPublisher(connection, channel);
  }

  async publish(message: RawMessage): Promise<string> {
    const messageId = message.messageId === undefined ? randomUUID() : message.messageId;
    const content = Buffer.isBuffer(message.body) ? message.body : Buffer.from(JSON.stringify(message.body));
    const headers = {
      ...message.headers,
      ...(message.orderingKey ? { 'x-ordering-key': message.orderingKey } : {}),
    };
    this.channel.publish(message.exchange, message.routingKey, content, {
      ...(messageId === null ? {} : { messageId }),
      timestamp: Math.floor(Date.now() / 1000),
      contentType: 'application/json',
      persistent: true,
      correlationId: randomUUID(),
      headers,
    });
    await this.channel.waitForConfirms();
    return messageId ?? '';
  }

  /** Publishes many without waiting for each confirm; resolves when all are confirmed. */
  async publishAll(messages: RawMessage[]): Promise<void> {
    for (const message of messages) {
      const content = Buffer.from(JSON.stringify(message.body));
      this.channel.publish(message.exchange, message.routingKey, content, {
        messageId: message.messageId ?? randomUUID(),
        contentType: 'application/json',
        persistent: true,
        headers: {
          ...message.headers,
          ...(message.orderingKey ? { 'x-ordering-key': message.orderingKey } : {}),
        },
      });
    }
    await this.channel.waitForConfirms();
  }

  /** Takes one message off a queue (acked), or null when it is empty. */
  async take(queue: string): Promise<{ messageId: string; body: string } | null> {
    const message = await this.channel.get(queue, { noAck: true });
    if (!message) return null;
    return { messageId: String(message.properties.messageId), body: message.content.toString() };
  }

  /** Ready plus unacknowledged messages of a queue, as the broker counts them now. */
  async depth(queue: string): Promise<number> {
    const { messageCount } = await this.channel.checkQueue(queue);
    return messageCount;
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

/** A `RawPublisher` on the namespace's vhost for a describe block: opened in `beforeAll`, closed in `afterAll`. */
export function useRawPublisher(ns: TestNamespace): RawPublisher {
  return useOpened('the raw publisher', () => RawPublisher.open(ns.vhost.url));
}
