import { CORRELATION_ID_HEADER } from '../outbox/new-outbox-message';
import type { ClaimedRow } from '../outbox/outbox-claims';
import { ORDERING_KEY_HEADER } from '../topology/topology-names';
import type { OutgoingMessage } from './confirmed-publisher';

/** The AMQP message for an outbox row: its JSON bytes as stored (UTF-8), persistent, with ids and headers. */
export function outgoingMessageOf(row: ClaimedRow): OutgoingMessage {
  const headers = row.headers ? (JSON.parse(row.headers) as Record<string, unknown>) : {};
  if (row.partitionKey !== null) headers[ORDERING_KEY_HEADER] = row.partitionKey;
  const correlationId = headers[CORRELATION_ID_HEADER];
  return {
    exchange: row.exchange,
    routingKey: row.routingKey,
    content: row.payload,
    messageId: row.messageId,
    properties: {
      messageId: row.messageId,
      correlationId: typeof correlationId === 'string' ? correlationId : row.messageId,
      timestamp: Math.floor(new Date(row.createdAt).getTime() / 1000),
      contentType: 'application/json',
      persistent: true,
      headers,
    },
  };
}
