import type { ConsumeMessage } from 'amqplib';
import { context } from '@opentelemetry/api';
import { contextWithLogFields, MessageLogFields } from './log-fields';
import { enableTraceContext, traceContextFrom } from './trace-context';

/** Identifiers of a delivery for the log context: ids, exchange, routing key, queue; never the body. */
export function messageLogFieldsOf(message: ConsumeMessage, queue?: string): MessageLogFields {
  const { messageId, correlationId } = message.properties as { messageId?: string; correlationId?: string };
  return {
    messageId: messageId ?? undefined,
    correlationId: correlationId ?? undefined,
    exchange: message.fields.exchange || undefined,
    routingKey: message.fields.routingKey || undefined,
    queue,
  };
}

/**
 * Runs the handling of one delivery inside the trace its `traceparent` header continues, with the
 * delivery's identifiers on every log line written meanwhile.
 */
export function runInMessageContext<T>(message: ConsumeMessage, queue: string | undefined, work: () => T): T {
  enableTraceContext();
  // One context entered per delivery, carrying both the trace and the log fields.
  const traced = traceContextFrom(message.properties.headers);
  return context.with(contextWithLogFields(traced, messageLogFieldsOf(message, queue)), work);
}
