import { backoffDelay, resolveRetryPolicy, retryVerdict } from './retry-policy';

const defaults = { maxAttempts: 3, retryDelaysMs: [1000, 10_000, 60_000] };

describe('retry policy', () => {
  it('count-then-park: one immediate retry, then a delay queue, then park at the third attempt', () => {
    const policy = resolveRetryPolicy(undefined, defaults, false);
    expect(retryVerdict(policy, 1, 1)).toEqual({ action: 'retry-in-process', delayMs: 0 });
    expect(retryVerdict(policy, 2, 2)).toEqual({ action: 'retry-delayed', delayMs: 1000 });
    expect(retryVerdict(policy, 3, 1)).toEqual({ action: 'park' });
  });

  it('uses the next delay queue for each later broker retry and the last one beyond the list', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 10, immediateRetries: 0 }, defaults, false);
    expect([1, 2, 3, 4].map((attempt) => retryVerdict(policy, attempt, 1))).toEqual([
      { action: 'retry-delayed', delayMs: 1000 },
      { action: 'retry-delayed', delayMs: 10_000 },
      { action: 'retry-delayed', delayMs: 60_000 },
      { action: 'retry-delayed', delayMs: 60_000 },
    ]);
  });

  it('reject-to-dlq retries in process and then rejects', () => {
    const policy = resolveRetryPolicy({ mode: 'reject-to-dlq' }, defaults, false);
    expect(policy.delaysMs).toEqual([]);
    expect(retryVerdict(policy, 1, 1).action).toBe('retry-in-process');
    expect(retryVerdict(policy, 2, 2).action).toBe('retry-in-process');
    expect(retryVerdict(policy, 3, 3)).toEqual({ action: 'reject' });
  });

  it('in-process backs off exponentially, then falls through to its `then` mode', () => {
    const policy = resolveRetryPolicy(
      { mode: 'in-process', maxAttempts: 4, then: 'reject-to-dlq' },
      defaults,
      false,
    );
    expect([1, 2, 3].map((runs) => retryVerdict(policy, runs, runs))).toEqual([
      { action: 'retry-in-process', delayMs: 100 },
      { action: 'retry-in-process', delayMs: 200 },
      { action: 'retry-in-process', delayMs: 400 },
    ]);
    expect(retryVerdict(policy, 4, 4)).toEqual({ action: 'reject' });
  });

  it('ordered subscriptions never use delay queues: every retry is in place', () => {
    const policy = resolveRetryPolicy(undefined, defaults, true);
    expect(policy.delaysMs).toEqual([]);
    expect(retryVerdict(policy, 1, 1)).toEqual({ action: 'retry-in-process', delayMs: 100 });
    expect(retryVerdict(policy, 2, 2)).toEqual({ action: 'retry-in-process', delayMs: 200 });
    expect(retryVerdict(policy, 3, 3)).toEqual({ action: 'park' });
  });

  it('caps the backoff', () => {
    expect(backoffDelay({ backoffBaseMs: 100, backoffMaxMs: 1000 }, 10)).toBe(1000);
  });
});
