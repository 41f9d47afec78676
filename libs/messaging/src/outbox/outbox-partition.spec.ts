import { outboxPartitionOf } from './outbox-partition';

describe('outboxPartitionOf', () => {
  it('maps a key to the same partition every time', () => {
    expect(outboxPartitionOf('order-42', 16)).toBe(outboxPartitionOf('order-42', 16));
  });

  it('stays within 0..partitions-1', () => {
    for (let i = 0; i < 1000; i++) {
      const p = outboxPartitionOf(`key-${i}`, 7);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
    }
  });

  it('spreads keys over all partitions', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[outboxPartitionOf(`order-${i}`, 8)]++;
    for (const count of counts) expect(count).toBeGreaterThan(700);
  });

  it('is pinned to FNV-1a so relays of different releases agree', () => {
    expect(outboxPartitionOf('', 1 << 30)).toBe(0x811c9dc5 % (1 << 30));
    expect(outboxPartitionOf('a', 2 ** 32 - 1)).toBe(0xe40c292c % (2 ** 32 - 1));
  });
});
