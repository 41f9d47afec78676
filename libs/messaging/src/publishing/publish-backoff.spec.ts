import { publishBackoffMs } from './publish-backoff';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('publishBackoffMs', () => {
  it('doubles per attempt', () => {
    expect(publishBackoffMs(1, policy, () => 1)).toBe(1000);
    expect(publishBackoffMs(2, policy, () => 1)).toBe(2000);
    expect(publishBackoffMs(5, policy, () => 1)).toBe(16_000);
  });

  it('never waits less than half a step', () => {
    expect(publishBackoffMs(1, policy, () => 0)).toBe(500);
    expect(publishBackoffMs(3, policy, () => 0)).toBe(2000);
  });

  it('caps the delay', () => {
    expect(publishBackoffMs(40, policy, () => 1)).toBe(60_000);
    expect(publishBackoffMs(1000, policy, () => 0)).toBe(30_000);
  });

  it('treats attempt 0 like the first', () => {
    expect(publishBackoffMs(0, policy, () => 1)).toBe(1000);
  });
});
