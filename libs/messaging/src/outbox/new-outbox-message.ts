/** Header values the relay copies onto the AMQP message. */
export type OutboxHeaders = Record<string, string | number | boolean>;

/** What a caller hands to `OutboxService.add` inside its business transaction. */
export interface NewOutboxMessage {
  exchange: string;
  /** The event type; for an ordered stream the ordering key travels in the `x-ordering-key` header. */
  routingKey: string;
  /** Any JSON-serialisable value; the serialized bytes are what the consumer receives. */
  payload: unknown;
  /** Ordering key: messages sharing it are published one at a time, in the order they were added. */
  key?: string;
  headers?: OutboxHeaders;
  /** @default a random UUID */
  messageId?: string;
  /** @default the message id */
  correlationId?: string;
}

/** Header in which `add` keeps the correlation id; the relay also publishes it as the AMQP property. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';
