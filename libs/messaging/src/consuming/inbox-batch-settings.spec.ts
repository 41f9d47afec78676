import { CONSUMING_DEFAULTS } from './consuming.options';
import { resolveInboxBatch } from './inbox-batch-settings';

describe('resolveInboxBatch', () => {
  it('is on by default, a batch holding at most its share of the prefetch', () => {
    expect(resolveInboxBatch(undefined, CONSUMING_DEFAULTS, 50)).toEqual({
      lingerMs: 2,
      maxSize: 25,
      concurrency: 2,
    });
    expect(resolveInboxBatch(true, CONSUMING_DEFAULTS, 200)).toEqual({
      lingerMs: 2,
      maxSize: 50,
      concurrency: 2,
    });
  });

  it('takes the subscription tuning', () => {
    expect(resolveInboxBatch({ lingerMs: 5, maxSize: 10, concurrency: 1 }, CONSUMING_DEFAULTS, 50)).toEqual({
      lingerMs: 5,
      maxSize: 10,
      concurrency: 1,
    });
  });

  it('is off when asked, or when a batch could hold one message only', () => {
    expect(resolveInboxBatch(false, CONSUMING_DEFAULTS, 50)).toBeUndefined();
    expect(resolveInboxBatch({ maxSize: 1 }, CONSUMING_DEFAULTS, 50)).toBeUndefined();
    expect(resolveInboxBatch(undefined, CONSUMING_DEFAULTS, 2)).toBeUndefined();
  });
});
