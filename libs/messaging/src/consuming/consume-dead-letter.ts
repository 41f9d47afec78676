import type { ConsumeMessage } from 'amqplib';
import type { ParkRequest } from '../dead-letters/dead-letter.service';
import { ORDERING_KEY_HEADER } from '../topology/topology-names';
import { HandlerFailedError } from './consume-errors';
import { routingKeyOf } from './retry-copy';

/** Why a delivery is parked: bad input (`UnprocessableMessageError`) or a handler out of attempts. */
export interface ParkCause {
  reason: string;
  message: string;
}

/** A delivery the pipeline parks, as a dead letter; a handler failure records the handler's own error. */
export function consumeDeadLetter(
  message: ConsumeMessage,
  queue: string,
  consumer: string,
  cause: ParkCause,
  attempts: number,
): ParkRequest {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const failure = cause instanceof HandlerFailedError ? cause.failure : cause;
  return {
    origin: 'consume',
    messageId: String(message.properties.messageId ?? `missing:${message.fields.deliveryTag}`),
    reason: cause.reason,
    error: failure instanceof Error ? failure.message : cause.message,
    errorClass: failure instanceof Error ? failure.name : undefined,
    exchange: message.fields.exchange || null,
    queue,
    routingKey: routingKeyOf(message),
    consumer,
    partitionKey: typeof headers[ORDERING_KEY_HEADER] === 'string' ? headers[ORDERING_KEY_HEADER] : null,
    payload: message.content.toString('utf8'),
    headers,
    attempts,
  };
}
