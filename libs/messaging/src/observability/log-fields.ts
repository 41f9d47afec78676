import { context, createContextKey } from '@opentelemetry/api';
import { currentTraceIds, enableTraceContext } from './trace-context';

/** Identifiers every log line about a message carries; never the payload. */
export interface MessageLogFields {
  messageId?: string;
  correlationId?: string;
  exchange?: string;
  routingKey?: string;
  queue?: string;
}

const LOG_FIELDS = createContextKey('messaging.log-fields');

/** Runs `work` with `fields` added to every log line written inside it (see `currentLogFields`). */
export function withLogFields<T>(fields: MessageLogFields, work: () => T): T {
  enableTraceContext();
  const merged = { ...currentMessageFields(), ...definedOnly(fields) };
  return context.with(context.active().setValue(LOG_FIELDS, merged), work);
}

/** Trace ids plus message identifiers of the current unit of work: the pino `mixin`. */
export function currentLogFields(): MessageLogFields & { traceId?: string; spanId?: string } {
  return { ...currentTraceIds(), ...currentMessageFields() };
}

function currentMessageFields(): MessageLogFields {
  return (context.active().getValue(LOG_FIELDS) as MessageLogFields | undefined) ?? {};
}

function definedOnly(fields: MessageLogFields): MessageLogFields {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined && value !== ''),
  );
}
