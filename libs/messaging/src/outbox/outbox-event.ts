import type { OutboxHeaders } from './new-outbox-message';

/**
 * A message addressed by meaning instead of by exchange: the outbox derives the exchange from the
 * topology prefix (`stream` → the stream's ordered exchange, none → the events exchange).
 */
export interface OutboxEvent {
  /** Ordered stream the event belongs to; omit for unordered events. */
  stream?: string;
  /** The event type, published as the routing key (what `@EventPattern` matches). */
  type: string;
  payload: unknown;
  /** Ordering key: events of one key are published and handled in the order they were added. */
  key?: string;
  headers?: OutboxHeaders;
  /** @default a random UUID */
  messageId?: string;
  /** @default the message id */
  correlationId?: string;
}
