import { randomUUID } from 'node:crypto';
import { CORRELATION_ID_HEADER, NewOutboxMessage, OutboxHeaders } from '../outbox/new-outbox-message';
import type { DeadLetter } from './dead-letter.entity';
import { PayloadNotReplayableError } from './payload-not-replayable.error';

export const REPLAY_OF_HEADER = 'x-replay-of';
export const DEAD_LETTER_ID_HEADER = 'x-dead-letter-id';

/** Headers the broker or the failed attempts added; a replay starts afresh without them. */
const BROKER_HEADERS = /^x-(death|first-death-|last-death-|delivery-count)/;

/**
 * The outbox message a dead letter is replayed as. A new message id: the consumer's failure count and
 * dedupe mark belong to the old one and would park or skip it again. Publish-side dead letters go to
 * their exchange and key; consume-side ones to the queue that failed, through the default exchange,
 * so other subscribers of the event do not get it twice. An edited payload is sent instead of the original.
 */
export function replayMessageOf(row: DeadLetter): NewOutboxMessage & { messageId: string } {
  let payload: unknown;
  try {
    // An operator's correction wins; the original stays in `payload` for the record.
    payload = JSON.parse(row.editedPayload ?? row.payload);
  } catch {
    throw new PayloadNotReplayableError(row.id);
  }
  const original = replayableHeaders(row.headers);
  const correlationId = original[CORRELATION_ID_HEADER];
  const headers: OutboxHeaders = {
    ...original,
    [REPLAY_OF_HEADER]: row.messageId,
    [DEAD_LETTER_ID_HEADER]: row.id,
  };
  const target =
    row.origin === 'publish'
      ? { exchange: row.exchange ?? '', routingKey: row.routingKey ?? '', key: row.partitionKey ?? undefined }
      : { exchange: '', routingKey: row.queue ?? '' };
  return {
    ...target,
    payload,
    headers,
    messageId: randomUUID(),
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
  };
}

function replayableHeaders(json: string | null): OutboxHeaders {
  let parsed: unknown;
  try {
    parsed = json ? JSON.parse(json) : {};
  } catch {
    return {};
  }
  const headers: OutboxHeaders = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (BROKER_HEADERS.test(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      headers[name] = value;
  }
  return headers;
}
