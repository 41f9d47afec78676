import { ORDERING_KEY_HEADER, TopologyNames } from './topology-names';
import type { BindingDeclaration, QueueDeclaration, TopologyPlan } from './topology-plan';

/** What a work queue of an unordered subscription needs. */
export interface WorkQueueSpec {
  consumer: string;
  /** Exchange the queue binds to (declared as a topic exchange). */
  exchange: string;
  routingKeys: string[];
  /** Broker-side backstop (`x-delivery-limit`). */
  deliveryLimit: number;
  /** One retry queue per delay; empty for subscriptions that never retry through the broker. */
  retryDelaysMs: number[];
}

/** What the partition queues of one consumer of an ordered stream need. */
export interface PartitionedQueuesSpec {
  stream: string;
  consumer: string;
  /** Event types (topic patterns) this consumer takes from the stream. */
  routingKeys: string[];
  partitions: number;
  deliveryLimit: number;
}

/** The topic exchange for unordered events. */
export function eventsExchangePlan(names: TopologyNames): TopologyPlan {
  return { exchanges: [{ name: names.eventsExchange, type: 'topic' }], queues: [], bindings: [] };
}

/** The topic exchange a publisher sends an ordered stream's keyed messages to. */
export function orderedStreamPlan(names: TopologyNames, stream: string): TopologyPlan {
  return { exchanges: [{ name: names.orderedExchange(stream), type: 'topic' }], queues: [], bindings: [] };
}

/**
 * A quorum work queue with a dead-letter exchange + queue (a delivery limit without a DLX silently
 * drops), and one TTL retry queue per delay that dead-letters back through a fanout retry exchange
 * bound to this queue only (so a retry never reaches another subscriber of the source exchange).
 */
export function workQueuePlan(names: TopologyNames, spec: WorkQueueSpec): TopologyPlan {
  const queue = names.queue(spec.consumer);
  const retryExchange = names.retryExchange(queue);
  const retryQueues: QueueDeclaration[] = spec.retryDelaysMs.map((delayMs) => ({
    name: names.retryQueue(queue, delayMs),
    // Classic queues: one queue per delay, so no message waits behind a longer per-message expiry.
    arguments: { 'x-message-ttl': delayMs, 'x-dead-letter-exchange': retryExchange },
  }));
  const deadLetters = deadLetterPlan(names, queue);
  return {
    exchanges: [
      { name: spec.exchange, type: 'topic' },
      ...deadLetters.exchanges,
      ...(spec.retryDelaysMs.length > 0 ? [{ name: retryExchange, type: 'fanout' as const }] : []),
    ],
    queues: [
      quorumQueue(queue, names.deadLetterExchange(queue), spec.deliveryLimit, false),
      ...deadLetters.queues,
      ...retryQueues,
    ],
    bindings: [
      ...spec.routingKeys.map((pattern) => queueBinding(queue, spec.exchange, pattern)),
      ...deadLetters.bindings,
      ...(spec.retryDelaysMs.length > 0 ? [queueBinding(queue, retryExchange, '')] : []),
    ],
  };
}

/**
 * The stream's topic exchange → this consumer's consistent-hash exchange (hashing the ordering-key
 * header) → N single-active-consumer quorum queues, bound with equal weight in index order.
 *
 * The hash exchange is transient (ADR 0203): RabbitMQ rebuilds a durable one's ring after a restart in
 * an order of its own, which moves keys to other partitions while their earlier messages still wait in
 * the old ones. A transient one is gone after a restart and the consumers' reconnect declares it again
 * in index order. The stream is bound to it last, so no message meets a half-built ring.
 */
export function partitionedQueuesPlan(names: TopologyNames, spec: PartitionedQueuesSpec): TopologyPlan {
  const source = names.orderedExchange(spec.stream);
  const hash = names.partitionExchange(spec.stream, spec.consumer);
  const group = names.partitionGroup(spec.stream, spec.consumer);
  const deadLetters = deadLetterPlan(names, group);
  const partitions = Array.from({ length: spec.partitions }, (_, index) =>
    names.partitionQueue(spec.stream, spec.consumer, index),
  );
  return {
    exchanges: [
      { name: source, type: 'topic' },
      {
        name: hash,
        type: 'x-consistent-hash',
        arguments: { 'hash-header': ORDERING_KEY_HEADER },
        durable: false,
      },
      ...deadLetters.exchanges,
    ],
    queues: [
      ...partitions.map((queue) =>
        quorumQueue(queue, names.deadLetterExchange(group), spec.deliveryLimit, true),
      ),
      ...deadLetters.queues,
    ],
    bindings: [
      // The binding key of a consistent-hash exchange is the queue's weight on the ring.
      ...partitions.map((queue) => queueBinding(queue, hash, '1')),
      ...deadLetters.bindings,
      ...spec.routingKeys.map((pattern): BindingDeclaration => ({
        kind: 'exchange',
        destination: hash,
        source,
        pattern,
      })),
    ],
  };
}

function quorumQueue(
  name: string,
  deadLetterExchange: string,
  deliveryLimit: number,
  singleActiveConsumer: boolean,
): QueueDeclaration {
  return {
    name,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': deadLetterExchange,
      ...(singleActiveConsumer ? { 'x-single-active-consumer': true } : {}),
    },
  };
}

function deadLetterPlan(names: TopologyNames, owner: string): TopologyPlan {
  const exchange = names.deadLetterExchange(owner);
  const queue = names.deadLetterQueue(owner);
  return {
    exchanges: [{ name: exchange, type: 'fanout' }],
    queues: [{ name: queue, arguments: { 'x-queue-type': 'quorum' } }],
    bindings: [queueBinding(queue, exchange, '')],
  };
}

function queueBinding(queue: string, source: string, pattern: string): BindingDeclaration {
  return { kind: 'queue', destination: queue, source, pattern };
}
