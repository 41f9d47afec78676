import { Context, context, createContextKey } from '@opentelemetry/api';
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
  return context.with(contextWithLogFields(context.active(), fields), work);
}

/** `base` with `fields` added to the log fields it already carries (inner values win, empty ones skipped). */
export function contextWithLogFields(base: Context, fields: MessageLogFields): Context {
  const merged: MessageLogFields = { ...(base.getValue(LOG_FIELDS) as MessageLogFields | undefined) };
  for (const key of Object.keys(fields) as Array<keyof MessageLogFields>) {
    const value = fields[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  return base.setValue(LOG_FIELDS, merged);
}

/** Trace ids plus message identifiers of the current unit of work: the pino `mixin`. */
export function currentLogFields(): MessageLogFields & { traceId?: string; spanId?: string } {
  return { ...currentTraceIds(), ...currentMessageFields() };
}

function currentMessageFields(): MessageLogFields {
  return (context.active().getValue(LOG_FIELDS) as MessageLogFields | undefined) ?? {};
}
