import type { EntityManager } from 'typeorm';

/**
 * How failures of one subscription are retried (docs/design.md §3):
 * - `count-then-park` (default): immediate retries in process, then delayed retries through one TTL
 *   retry queue per delay; after `maxAttempts` the message is acked off the queue into `dead_letter`.
 * - `reject-to-dlq`: after the in-process retries, `nack(requeue=false)` into the queue's DLQ, also
 *   recorded in `dead_letter`.
 * - `in-process`: retries inside the call with exponential backoff, then falls through to `then`.
 * Ordered subscriptions always retry in place (see docs/adr/0201-ordered-retry-in-place.md).
 */
export type RetryMode = 'count-then-park' | 'reject-to-dlq' | 'in-process';

export interface RetryOptions {
  /** @default 'count-then-park' */
  mode?: RetryMode;
  /** Handler runs of one message before it is parked. @default consuming.maxAttempts (3) */
  maxAttempts?: number;
  /** Failures retried at once in process before the broker retries. @default 1 (`in-process`: maxAttempts - 1) */
  immediateRetries?: number;
  /** Delays of the broker retry queues (count-then-park). @default consuming.retryDelaysMs */
  delaysMs?: number[];
  /** First in-process backoff delay, doubled per retry. @default 100 (0 for count-then-park's immediate retries) */
  backoffBaseMs?: number;
  /** Largest in-process backoff delay. @default 5000 */
  backoffMaxMs?: number;
  /** Where `in-process` falls through when its retries are spent. @default 'count-then-park' */
  then?: Exclude<RetryMode, 'in-process'>;
}

export interface OrderedOptions {
  stream: string;
  /** @default topology.partitions */
  partitions?: number;
  /**
   * Deliveries of one partition queue handled at once. Different ordering keys run side by side, one
   * key always strictly one after the other (docs/ordering.md). `1`: one delivery per partition at a
   * time, whatever its key. @default no bound but the prefetch
   */
  concurrency?: number;
}

/** Tuning of the inbox group commit of one subscription. */
export interface InboxBatchOptions {
  /** How long the first delivery of a batch waits for others. @default consuming.inboxBatchLingerMs (2) */
  lingerMs?: number;
  /** Most deliveries in one transaction, capped at prefetch / concurrency; 1 turns batching off. @default consuming.inboxBatchMaxSize (50) */
  maxSize?: number;
  /** Batch transactions open at once for this subscription. @default 2 */
  concurrency?: number;
}

/** A DTO class validated with class-validator after class-transformer turned the JSON into it. */
export type SchemaClass = new () => object;

export interface ReliableSubscriptionOptions {
  /** Name of this subscription; names its queue, dedupe keys, inbox rows and dead letters. */
  consumer: string;
  /** Exchange to bind to (unordered subscriptions). @default the events exchange of `topology.prefix` */
  exchange?: string;
  /** Event types (topic patterns) to receive. */
  routingKey: string | string[];
  /** Take keyed messages of an ordered stream: N partition queues, one active consumer each. */
  ordered?: OrderedOptions;
  retry?: RetryOptions;
  /** Write an `inbox_message` row in the handler's transaction; the handler gets `context.manager`. */
  inbox?: boolean;
  /**
   * Inbox mode: deliveries ready together share one transaction and one commit, each handler in its own
   * savepoint (docs/consuming.md, "Inbox group commit"). `false`: one transaction per message.
   * @default true, with consuming.inboxBatchLingerMs / inboxBatchMaxSize
   */
  inboxBatch?: boolean | InboxBatchOptions;
  /** Validate the payload; an invalid one is parked with reason `schema-invalid`. */
  schema?: SchemaClass;
  /**
   * `required` (default): fail closed while Redis is down (nothing handled, nothing acked).
   * `optional`: handle without dedupe while Redis is down (choose it only with `inbox: true` or an
   * idempotent handler).
   */
  redis?: 'required' | 'optional';
  /** Unacked deliveries for this subscription. @default consuming.prefetch */
  prefetch?: number;
  /**
   * Run the handler inside Nest's execution context, so guards and interceptors apply, global ones
   * included. It costs about 25 µs of CPU per delivery and interceptor, so it is on only when the method
   * or its class declares `@UseGuards` / `@UseInterceptors`, unless set here.
   * @default whether the method or class declares guards or interceptors
   */
  nestEnhancers?: boolean;
}

/** What a reliable handler receives next to the payload. */
export interface DeliveryContext {
  readonly consumer: string;
  readonly queue: string;
  readonly messageId: string;
  readonly correlationId?: string;
  readonly routingKey: string;
  readonly headers: Readonly<Record<string, unknown>>;
  /** Ordering key (`x-ordering-key` header) of a keyed message. */
  readonly orderingKey?: string;
  /** The broker delivered this message before (to this or another consumer). */
  readonly redelivered: boolean;
  /** 1 for the first handler run of this message, counted across retries. */
  attempt: number;
  /** Inbox mode: the transaction the inbox row is written in; write the effect through it. */
  manager?: EntityManager;
}
