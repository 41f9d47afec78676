import type { ConfirmChannel, Options } from 'amqplib';

/** The method fields and properties of one `basic.publish`, as amqplib's frame encoder reads them. */
interface PublishFields extends Options.Publish {
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  immediate: false;
  deliveryMode?: number;
}

/** The two ConfirmChannel methods `channel.publish` itself calls after building its fields. */
interface ChannelInternals {
  pushConfirmCallback(callback: ((error: Error | null) => void) | undefined): void;
  sendMessage(fields: PublishFields, properties: PublishFields, content: Buffer): boolean;
}

/** One message as the relay publishes it. */
export interface ConfirmedMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  properties: Options.Publish;
}

const NO_HEADERS = Object.freeze({});

/**
 * `channel.publish(exchange, routingKey, content, { ...properties, mandatory }, confirmed)`, the same
 * frames without amqplib's `Args.publish`: that copies the header table with `Object.create(headers)`,
 * which makes every message's headers object a prototype and its encoding a prototype-chain walk, 5–7 µs
 * of CPU per message with headers (amqplib 0.10 and 2.3 alike), and the options spread costs as much
 * again (docs/performance.md). Every outbox message has headers (at least the correlation id). The
 * fields are written out, not spread, for the same reason. Falls back to `channel.publish` for CC/BCC
 * (which `Args.publish` moves into the headers) and where the two methods are missing, so an amqplib
 * that drops them costs speed, not correctness. Without `confirmed` the caller follows the channel's
 * `ack` and `nack` events itself (ConfirmedPublisher, ChannelConfirms).
 */
export function publishWithConfirm(
  channel: ConfirmChannel,
  message: ConfirmedMessage,
  mandatory: boolean,
  confirmed?: (error: Error | null) => void,
): boolean {
  const { exchange, routingKey, content, properties: p } = message;
  const internals = channel as unknown as Partial<ChannelInternals>;
  if (
    p.CC !== undefined ||
    p.BCC !== undefined ||
    typeof internals.pushConfirmCallback !== 'function' ||
    typeof internals.sendMessage !== 'function'
  ) {
    return channel.publish(exchange, routingKey, content, { ...p, mandatory }, confirmed);
  }
  const fields: PublishFields = {
    exchange,
    routingKey,
    mandatory,
    immediate: false,
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    // amqplib always sends a table, empty when there are no headers.
    headers: (p.headers as Record<string, unknown> | undefined) ?? NO_HEADERS,
    deliveryMode: deliveryModeOf(p),
    priority: p.priority,
    correlationId: p.correlationId,
    replyTo: p.replyTo,
    expiration: p.expiration === undefined ? undefined : String(p.expiration),
    messageId: p.messageId,
    timestamp: p.timestamp,
    type: p.type,
    userId: p.userId,
    appId: p.appId,
  };
  internals.pushConfirmCallback(confirmed);
  return internals.sendMessage(fields, fields, content);
}

/** amqplib's reading of `persistent` and `deliveryMode`, kept as it is for identical frames. */
function deliveryModeOf(options: Options.Publish): number | undefined {
  if (options.persistent !== undefined) return options.persistent ? 2 : 1;
  if (typeof options.deliveryMode === 'number') return options.deliveryMode;
  return options.deliveryMode ? 2 : undefined;
}
