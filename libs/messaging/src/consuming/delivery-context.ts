import type { EntityManager } from 'typeorm';
import type { DeliveryContext } from './reliable-subscription.options';

/**
 * The context object a reliable handler receives as its second argument. A class, so the dedupe
 * interceptor can tell a reliable delivery from a plain golevelup one (which it leaves alone).
 */
export class ReliableDeliveryContext implements DeliveryContext {
  attempt = 0;
  manager?: EntityManager;
  /** Set while the pipeline deduplicates it, so the interceptor registered globally as well passes through. */
  dedupeApplied = false;
  /**
   * The run number the dedupe claim already counted (one Redis round trip for both). The runner takes
   * it for its first run instead of counting again, and leaves forgetting the count to the done mark.
   */
  claimedAttempt?: number;

  constructor(
    readonly consumer: string,
    readonly queue: string,
    readonly messageId: string,
    readonly routingKey: string,
    readonly headers: Readonly<Record<string, unknown>>,
    readonly redelivered: boolean,
    readonly redisMode: 'required' | 'optional',
    readonly correlationId?: string,
    readonly orderingKey?: string,
  ) {}
}

/** What the pipeline returns instead of running the handler for an already handled message. */
export const DUPLICATE_DELIVERY = Symbol('duplicate-delivery');
