import type {
  InboxBatchOptions,
  OrderedOptions,
  RetryOptions,
  SchemaClass,
} from '../consuming/reliable-subscription.options';

/**
 * Settings of one `@EventPattern` handler on the reliable transport, given as `@ReliableEvent({...})`
 * beside it or as `@EventPattern(pattern, { reliable: {...} })`. Handlers that share a consumer and a
 * stream share one queue (or one set of partition queues) and are told apart by routing key.
 */
export interface ReliableEventOptions {
  /** Queue, dedupe keys, inbox rows and dead letters of this handler. @default the server's `consumer` */
  consumer?: string;
  /** Keyed messages of an ordered stream: partition queues, one active consumer each, in-place retries. */
  ordered?: OrderedOptions;
  /** Write an `inbox_message` row in the handler's transaction; `ctx.getManager()` is that transaction. */
  inbox?: boolean;
  /**
   * Group commit of inbox handlers: deliveries ready together share one transaction, each handler in
   * its own savepoint (docs/consuming.md). `false` gives every delivery its own transaction.
   * @default true, with consuming.inboxBatchLingerMs / inboxBatchMaxSize
   */
  inboxBatch?: boolean | InboxBatchOptions;
  retry?: RetryOptions;
  /** Checked before the handler (and its pipes) run; a refusal is parked as `schema-invalid`. */
  schema?: SchemaClass;
  /** `required` (default): fail closed while Redis is down. See `ReliableSubscriptionOptions.redis`. */
  redis?: 'required' | 'optional';
}

/** Options of one reliable transport server (one per app is usual). */
export interface ReliableServerOptions {
  /** Default consumer name of its handlers: `<prefix>.<consumer>` is the shared work queue. */
  consumer: string;
  /** Exchange the work queue binds to. @default the events exchange of `topology.prefix` */
  exchange?: string;
  /** Unacked deliveries per queue group. @default consuming.prefetch */
  prefetch?: number;
  /** Settings every handler starts from; its own `@ReliableEvent` settings win. */
  defaults?: Omit<ReliableEventOptions, 'consumer'>;
}

/** The key of `@EventPattern` extras under which the reliable settings travel to the server. */
export const RELIABLE_EVENT_EXTRAS = 'reliable';
