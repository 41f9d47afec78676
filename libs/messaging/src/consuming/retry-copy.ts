import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';

/** Header keeping a message's routing key while it passes through a retry queue. */
export const ORIGINAL_ROUTING_KEY_HEADER = 'x-original-routing-key';

/** The routing key a message was published with, also after a trip through a retry queue. */
export function routingKeyOf(message: ConsumeMessage): string {
  const original: unknown = message.properties.headers?.[ORIGINAL_ROUTING_KEY_HEADER];
  return typeof original === 'string' ? original : message.fields.routingKey;
}

/** A confirmed copy in the delay queue, so acking the original loses nothing. */
export function sendRetryCopy(
  channel: ConfirmChannel,
  retryQueue: string,
  message: ConsumeMessage,
): Promise<void> {
  const { headers: original, ...properties } = message.properties;
  const headers: Record<string, unknown> = { ...(original as Record<string, unknown>) };
  delete headers['x-delivery-count'];
  headers[ORIGINAL_ROUTING_KEY_HEADER] = routingKeyOf(message);
  const options: Options.Publish = { ...definedOnly(properties), headers, persistent: true };
  return new Promise((resolve, reject) =>
    channel.sendToQueue(retryQueue, message.content, options, (error) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
    ),
  );
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
