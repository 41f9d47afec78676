/** How long a row waits after its `attempts`-th failed publish: exponential, capped, with full jitter. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before the next attempt. "Equal jitter": half the exponential delay is fixed and half random,
 * so retries of many rows that failed together spread out but never come back sooner than half the step.
 */
export function publishBackoffMs(
  attempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempts - 1);
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(step / 2 + (step / 2) * random());
}
