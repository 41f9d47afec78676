import type { Options } from 'amqplib';

/** One exchange, queue or binding to declare; plain data so the plan is unit-testable without a broker. */
export interface ExchangeDeclaration {
  name: string;
  type: 'topic' | 'fanout' | 'direct' | 'x-consistent-hash';
  arguments?: Record<string, unknown>;
  /** @default true */
  durable?: boolean;
}

export interface QueueDeclaration {
  name: string;
  arguments: Record<string, unknown>;
}

export interface BindingDeclaration {
  /** `queue` binds a queue, `exchange` binds an exchange to an exchange. */
  kind: 'queue' | 'exchange';
  destination: string;
  source: string;
  pattern: string;
}

/** Declared in this order: exchanges, queues, then bindings exactly in array order. */
export interface TopologyPlan {
  exchanges: ExchangeDeclaration[];
  queues: QueueDeclaration[];
  bindings: BindingDeclaration[];
}

/** The subset of an amqplib channel the plan needs (a Channel or a ConfirmChannel). */
export interface DeclaringChannel {
  assertExchange(name: string, type: string, options?: Options.AssertExchange): Promise<unknown>;
  assertQueue(name: string, options?: Options.AssertQueue): Promise<unknown>;
  bindQueue(queue: string, source: string, pattern: string): Promise<unknown>;
  bindExchange(destination: string, source: string, pattern: string): Promise<unknown>;
}

/**
 * Declares everything idempotently (asserting an existing object with the same arguments is a no-op).
 * Bindings run one at a time in plan order: a consistent-hash exchange places queues on its ring in
 * the order they were bound, so a parallel bind could change the key→queue mapping.
 */
export async function applyTopologyPlan(channel: DeclaringChannel, plan: TopologyPlan): Promise<void> {
  for (const exchange of plan.exchanges) {
    await channel.assertExchange(exchange.name, exchange.type, {
      durable: exchange.durable ?? true,
      arguments: exchange.arguments,
    });
  }
  for (const queue of plan.queues) {
    await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
  }
  for (const binding of plan.bindings) {
    if (binding.kind === 'queue')
      await channel.bindQueue(binding.destination, binding.source, binding.pattern);
    else await channel.bindExchange(binding.destination, binding.source, binding.pattern);
  }
}
