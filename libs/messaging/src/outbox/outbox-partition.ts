/**
 * The relay partition of an ordering key: FNV-1a over the key's UTF-8 bytes, modulo the partition count.
 * Stable across processes and releases, so every relay instance agrees on which partition a key is in.
 */
export function outboxPartitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
