import type { Options } from 'amqplib';

/**
 * The AMQP properties the relay publishes for a bench outbox row (its `x-correlation-id` header, as
 * every row `OutboxService.add` writes has, and the ids and timestamp `outgoingMessageOf` derives). The
 * raw baselines publish these same properties: a raw publish of a lighter message (no header table, no
 * correlation id or timestamp) costs the publisher and RabbitMQ less per message for reasons that have
 * nothing to do with the outbox, and its ratio would count them against the relay (docs/performance.md).
 */
export function benchMessageProperties(messageId: string, createdAt = new Date()): Options.Publish {
  return {
    messageId,
    correlationId: messageId,
    timestamp: Math.floor(createdAt.getTime() / 1000),
    contentType: 'application/json',
    persistent: true,
    headers: { 'x-correlation-id': messageId },
  };
}

/** The `headers` column of a bench outbox row with that message id. */
export function benchRowHeaders(messageId: string): string {
  return JSON.stringify({ 'x-correlation-id': messageId });
}
