/** Header carrying a message's ordering key; the consistent-hash exchanges hash this header. */
export const ORDERING_KEY_HEADER = 'x-ordering-key';

/**
 * The one place broker object names come from. Everything the library declares derives from the
 * configured prefix, so two services (or two test files) with different prefixes never collide.
 */
export interface TopologyNames {
  /** Topic exchange for unordered events. */
  eventsExchange: string;
  /**
   * Topic exchange a publisher sends an ordered stream's keyed messages to (routing key = event type,
   * ordering key in the `x-ordering-key` header). Each consuming service binds its own
   * consistent-hash exchange (`partitionExchange`) to it.
   */
  orderedExchange(stream: string): string;
  /** Consistent-hash exchange of one consumer of an ordered stream, in front of its partition queues. */
  partitionExchange(stream: string, consumer: string): string;
  /** Stem of one consumer's partition queues; also names their shared dead-letter exchange and queue. */
  partitionGroup(stream: string, consumer: string): string;
  /** Partition queue `index` (0-based) of an ordered stream for one consumer. */
  partitionQueue(stream: string, consumer: string, index: number): string;
  /** Work queue of a subscription. */
  queue(consumer: string): string;
  /** Dead-letter exchange and queue of a work queue. */
  deadLetterExchange(queue: string): string;
  deadLetterQueue(queue: string): string;
  /** Exchange through which retry queues return messages to their work queue. */
  retryExchange(queue: string): string;
  /** Retry queue holding messages for `delayMs` before they return. */
  retryQueue(queue: string, delayMs: number): string;
}

export function topologyNames(prefix: string): TopologyNames {
  return {
    eventsExchange: `${prefix}.events`,
    orderedExchange: (stream) => `${prefix}.${stream}.ordered`,
    partitionExchange: (stream, consumer) => `${prefix}.${stream}.${consumer}.hash`,
    partitionGroup: (stream, consumer) => `${prefix}.${stream}.${consumer}`,
    partitionQueue: (stream, consumer, index) => `${prefix}.${stream}.${consumer}.p${index}`,
    queue: (consumer) => `${prefix}.${consumer}`,
    deadLetterExchange: (queue) => `${queue}.dlx`,
    deadLetterQueue: (queue) => `${queue}.dlq`,
    retryExchange: (queue) => `${queue}.retry`,
    retryQueue: (queue, delayMs) => `${queue}.retry.${delayMs}ms`,
  };
}
