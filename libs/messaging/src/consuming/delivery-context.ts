import type { EntityManager } from 'typeorm';
import type { DeliveryContext } from './reliable-subscription.options';

/** What a delivery context is made of: the handler's fields and the subscription's Redis mode. */
export interface DeliveryContextFields {
  consumer: string;
  queue: string;
  messageId: string;
  routingKey: string;
  headers: Readonly<Record<string, unknown>>;
  redelivered: boolean;
  redisMode: 'required' | 'optional';
  correlationId?: string;
  orderingKey?: string;
}

/** The pipeline's own state of a delivery, kept off the object the handler receives. */
export interface DeliveryPipelineState {
  readonly redisMode: 'required' | 'optional';
  /** Set while the pipeline deduplicates it, so the interceptor registered globally as well passes through. */
  dedupeApplied: boolean;
  /**
   * The run number the dedupe claim already counted (one Redis round trip for both). The runner takes
   * it for its first run instead of counting again, and leaves forgetting the count to the done mark.
   */
  claimedAttempt?: number;
}

const pipelineStates = new WeakMap<ReliableDeliveryContext, DeliveryPipelineState>();

/**
 * The context object a reliable handler receives as its second argument. A class, so the dedupe
 * interceptor can tell a reliable delivery from a plain golevelup one (which it leaves alone).
 */
export class ReliableDeliveryContext implements DeliveryContext {
  readonly consumer: string;
  readonly queue: string;
  readonly messageId: string;
  readonly routingKey: string;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly redelivered: boolean;
  readonly correlationId?: string;
  readonly orderingKey?: string;
  attempt = 0;
  manager?: EntityManager;

  constructor(fields: DeliveryContextFields) {
    this.consumer = fields.consumer;
    this.queue = fields.queue;
    this.messageId = fields.messageId;
    this.routingKey = fields.routingKey;
    this.headers = fields.headers;
    this.redelivered = fields.redelivered;
    this.correlationId = fields.correlationId;
    this.orderingKey = fields.orderingKey;
    pipelineStates.set(this, { redisMode: fields.redisMode, dedupeApplied: false });
  }
}

/** The pipeline state of a delivery; every context gets one when it is made. */
export function pipelineStateOf(delivery: ReliableDeliveryContext): DeliveryPipelineState {
  return pipelineStates.get(delivery)!;
}

/** What the pipeline returns instead of running the handler for an already handled message. */
export const DUPLICATE_DELIVERY = Symbol('duplicate-delivery');
