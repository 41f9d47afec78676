import { ConfirmDeadline, ConfirmDeadlines } from './confirm-deadlines';

/** An entry that runs `expire` when it expires. */
const entry = (expire: () => unknown): ConfirmDeadline => ({
  due: 0,
  open: false,
  expire: () => void expire(),
});

describe('ConfirmDeadlines', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('expires the publishes still open at their deadline, in order, and only those', () => {
    const deadlines = new ConfirmDeadlines(1000);
    const expired: string[] = [];
    const a = deadlines.add(entry(() => expired.push('a')));
    jest.advanceTimersByTime(400);
    const b = deadlines.add(entry(() => expired.push('b')));
    deadlines.add(entry(() => expired.push('c')));
    deadlines.close(a);

    jest.advanceTimersByTime(599);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual([]);
    deadlines.close(b);
    jest.advanceTimersByTime(400);
    expect(expired).toEqual(['c']);
  });

  it('leaves no timer once nothing is open, and arms again for the next publish', () => {
    const deadlines = new ConfirmDeadlines(1000);
    const expired: number[] = [];
    deadlines.close(deadlines.add(entry(() => expired.push(1))));
    jest.advanceTimersByTime(1000);
    expect(jest.getTimerCount()).toBe(0);

    deadlines.add(entry(() => expired.push(2)));
    jest.advanceTimersByTime(1000);
    expect(expired).toEqual([2]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('expires nothing after clear', () => {
    const deadlines = new ConfirmDeadlines(1000);
    const expired: number[] = [];
    for (let i = 0; i < 3000; i++) deadlines.add(entry(() => expired.push(i)));
    deadlines.clear();
    jest.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps expiring in order across many publishes (queue compaction)', () => {
    const deadlines = new ConfirmDeadlines(100);
    const expired: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const d = deadlines.add(entry(() => expired.push(i)));
      if (i % 2 === 0) deadlines.close(d);
      if (i % 1000 === 999) jest.advanceTimersByTime(50);
    }
    jest.advanceTimersByTime(1000);
    expect(expired).toEqual(Array.from({ length: 2500 }, (_, k) => 2 * k + 1));
  });

  it('lets go of publishes confirmed in order at once, not at the next sweep', () => {
    const deadlines = new ConfirmDeadlines(10_000);
    const entries = Array.from({ length: 5000 }, () => deadlines.add(entry(() => undefined)));
    entries.forEach((entry) => deadlines.close(entry));
    expect(deadlines.held).toBe(0);

    const [first, second, third] = [1, 2, 3].map(() => deadlines.add(entry(() => undefined)));
    deadlines.close(second);
    expect(deadlines.held).toBe(3);
    deadlines.close(first);
    expect(deadlines.held).toBe(1);
    deadlines.close(third);
    expect(deadlines.held).toBe(0);
  });
});
