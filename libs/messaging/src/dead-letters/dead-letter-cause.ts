import type { FailureCause } from './failure-fingerprint';

/** The fields of a dead letter that decide its group. */
export interface CauseFields {
  origin: string;
  exchange: string | null;
  consumer: string | null;
  queue: string | null;
  reason: string;
  error: string | null;
  errorClass: string | null;
}

/**
 * Publish side: the exchange. Consume side: the consumer, not the queue, so every partition queue of an
 * ordered stream (and its retry queues) falls into one group; the queue only when no consumer is known.
 */
export function failureCauseOf(row: CauseFields): FailureCause {
  return {
    origin: row.origin,
    source: row.origin === 'publish' ? row.exchange : (row.consumer ?? row.queue),
    reason: row.reason,
    errorClass: row.errorClass,
    error: row.error,
  };
}
