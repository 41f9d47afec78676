import type { ConsumingOptions } from './consuming.options';
import type { RetryOptions } from './reliable-subscription.options';

/** A subscription's retry rules with every default filled in. */
export interface RetryPolicy {
  /** What happens once the in-process retries of the last allowed attempt are spent. */
  final: 'park' | 'reject';
  maxAttempts: number;
  /** Failures of one delivery retried in process before the broker is involved. */
  immediateRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Broker retry delays; empty: no broker retries (ordered, reject-to-dlq). */
  delaysMs: number[];
}

export type RetryVerdict =
  | { action: 'retry-in-process'; delayMs: number }
  | { action: 'retry-delayed'; delayMs: number }
  | { action: 'park' }
  | { action: 'reject' };

export const DEFAULT_BACKOFF_BASE_MS = 100;
export const DEFAULT_BACKOFF_MAX_MS = 5000;

/**
 * Ordered subscriptions never use delay queues: a retried message would come back behind its
 * successors. They retry in place, with backoff, for the whole budget.
 */
export function resolveRetryPolicy(
  options: RetryOptions | undefined,
  defaults: Pick<ConsumingOptions, 'maxAttempts' | 'retryDelaysMs'>,
  ordered: boolean,
): RetryPolicy {
  const mode = options?.mode ?? 'count-then-park';
  const final = (mode === 'in-process' ? (options?.then ?? 'count-then-park') : mode) === 'reject-to-dlq';
  const maxAttempts = options?.maxAttempts ?? defaults.maxAttempts;
  const brokerRetries = !ordered && !final && mode !== 'in-process';
  const delaysMs = brokerRetries ? (options?.delaysMs ?? defaults.retryDelaysMs) : [];
  const allInProcess = delaysMs.length === 0;
  return {
    final: final ? 'reject' : 'park',
    maxAttempts,
    immediateRetries: allInProcess
      ? maxAttempts - 1
      : Math.min(options?.immediateRetries ?? 1, maxAttempts - 1),
    backoffBaseMs:
      options?.backoffBaseMs ?? (mode === 'count-then-park' && !ordered ? 0 : DEFAULT_BACKOFF_BASE_MS),
    backoffMaxMs: options?.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS,
    delaysMs,
  };
}

/**
 * What to do after a failed run. `attempt` counts runs of this message across deliveries (1-based),
 * `runsThisDelivery` the runs of the current delivery.
 */
export function retryVerdict(policy: RetryPolicy, attempt: number, runsThisDelivery: number): RetryVerdict {
  if (attempt >= policy.maxAttempts) return { action: policy.final };
  if (runsThisDelivery <= policy.immediateRetries) {
    return { action: 'retry-in-process', delayMs: backoffDelay(policy, runsThisDelivery) };
  }
  if (policy.delaysMs.length === 0) return { action: policy.final };
  const hop = Math.ceil(attempt / (policy.immediateRetries + 1)) - 1;
  return { action: 'retry-delayed', delayMs: policy.delaysMs[Math.min(hop, policy.delaysMs.length - 1)] };
}

/** Exponential: base, 2×base, 4×base … capped at the maximum. */
export function backoffDelay(
  policy: Pick<RetryPolicy, 'backoffBaseMs' | 'backoffMaxMs'>,
  retry: number,
): number {
  return Math.min(policy.backoffBaseMs * 2 ** Math.max(0, retry - 1), policy.backoffMaxMs);
}

/**
 * Each crash returns every message checked out to the dead consumer and counts a delivery for each,
 * handled or only prefetched; a message that kills the process crashes up to `maxAttempts` times before
 * it is parked. A delivery limit at or below that would let the broker dead-letter the prefetched
 * innocent messages (or the crasher itself, without a dead letter row or alert) first.
 */
export function assertDeliveryLimitAbove(maxAttempts: number, deliveryLimit: number, consumer: string): void {
  if (deliveryLimit > maxAttempts) return;
  throw new Error(
    `${consumer}: consuming.deliveryLimit (${deliveryLimit}) must be above maxAttempts (${maxAttempts}), ` +
      'or a message that crashes the consumer gets messages prefetched beside it dead-lettered by the broker',
  );
}
