import { createHash } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import type { ParkRequest } from './dead-letter.service';

/** Reason code of a message the broker dead-lettered for exceeding the queue's `x-delivery-limit`. */
export const DELIVERY_LIMIT_REASON = 'delivery-limit';

/**
 * A message the broker moved to `<queue>.dlq`, as a dead letter: `delivery-limit` when the quorum queue's
 * delivery limit sent it there (RabbitMQ's `x-first-death-reason` `delivery_limit`), `broker-<reason>`
 * otherwise. The queue is the one it died in, so it groups with the consumer's own dead letters.
 */
export function brokerDeadLetter(message: ConsumeMessage, consumer: string, dlq: string): ParkRequest {
  const headers = message.properties.headers ?? {};
  const deathReason = String(headers['x-first-death-reason'] ?? 'unknown');
  const queue = typeof headers['x-first-death-queue'] === 'string' ? headers['x-first-death-queue'] : dlq;
  const reason = deathReason === 'delivery_limit' ? DELIVERY_LIMIT_REASON : `broker-${deathReason}`;
  const deliveries = Number(headers['x-delivery-count'] ?? 0);
  return {
    origin: 'consume',
    messageId: messageIdOf(message),
    reason,
    error:
      reason === DELIVERY_LIMIT_REASON
        ? `the broker dead-lettered it from ${queue}: delivered more often than its x-delivery-limit (the consumer crashed or requeued it each time)`
        : `the broker dead-lettered it from ${queue}: ${deathReason}`,
    queue,
    consumer,
    routingKey: message.fields.routingKey,
    payload: message.content.toString('utf8'),
    headers,
    attempts: Number.isFinite(deliveries) ? deliveries : 0,
  };
}

/** The message id, or a stable stand-in from the content when the publisher set none. */
function messageIdOf(message: ConsumeMessage): string {
  const id = message.properties.messageId as unknown;
  if (typeof id === 'string' && id.length > 0) return id.slice(0, 64);
  return `dlq-${createHash('sha256').update(message.content).digest('hex').slice(0, 32)}`;
}
