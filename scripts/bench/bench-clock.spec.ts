import { latenciesMs, ratePerSecond, relayDrainRate } from './bench-clock';

describe('bench clocks', () => {
  it('counts every message over the interval', () => {
    expect(ratePerSecond(1000, 5000, 5500)).toBe(2000);
  });

  it('refuses an empty or reversed interval instead of reporting an infinite rate', () => {
    expect(() => ratePerSecond(10, 100, 100)).toThrow('empty interval');
    expect(() => ratePerSecond(10, 200, 100)).toThrow('empty interval');
  });

  it("starts the relay's clock at its first claim, not at its first mark", () => {
    // Claim at t=1000; a 2,000-row batch marked at 1400 and 3,000 more rows by 2000.
    const sentAtMs = [...Array<number>(2000).fill(1400), ...Array<number>(3000).fill(2000)];
    expect(relayDrainRate({ claimStartsMs: [1000, 1600], sentAtMs })).toBe(5000);
  });

  it('counts the rows published before the first mark (not left out as the old clock did)', () => {
    // Every row of a backlog smaller than one window is published before the first (and only) mark.
    const sentAtMs = Array<number>(6000).fill(1500);
    expect(relayDrainRate({ claimStartsMs: [1000], sentAtMs })).toBe(12_000);
  });

  it('takes the earliest claim of any relay and the last mark of any relay', () => {
    const sentAtMs = [1300, 1900, 1200, 2000];
    expect(relayDrainRate({ claimStartsMs: [1100, 1000, 1050], sentAtMs })).toBe(4);
  });

  it('refuses a drain without claims or marks', () => {
    expect(() => relayDrainRate({ claimStartsMs: [], sentAtMs: [1] })).toThrow('no claim');
    expect(() => relayDrainRate({ claimStartsMs: [1], sentAtMs: [] })).toThrow('no row');
  });

  it('measures each latency from its own start, skipping messages that never arrived', () => {
    const started = new Map([
      ['a', 10],
      ['b', 20],
      ['c', 30],
    ]);
    const arrived = new Map([
      ['a', 15],
      ['c', 31],
    ]);
    expect(latenciesMs(started, arrived)).toEqual([1, 5]);
  });
});
