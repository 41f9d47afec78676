/** Writing to the outbox (`OutboxService.add`). */
export interface OutboxOptions {
  /** Largest serialized payload accepted by `OutboxService.add`. @default 262144 (256 KiB) */
  maxPayloadBytes: number;
}

/** The relay: how rows are claimed, published with confirms and retried (ADR 0205). */
export interface RelayOptions {
  /** Start the relay in this process. @default true */
  enabled: boolean;
  /** Fallback poll when no post-commit wake-up arrives. @default 1000 */
  pollIntervalMs: number;
  /** Rows claimed per claim query; larger batches spread its fixed cost. @default 2000 */
  batchSize: number;
  /** Publishes awaiting a broker confirm at once; covers the next claim's latency. @default 6000 */
  publishWindow: number;
  /** How long a claim is owned before the resend job may take it over. @default 30000 */
  leaseMs: number;
  /** Publish attempts before the row is dead-lettered. @default 10 */
  maxAttempts: number;
  /** First backoff delay; doubles per attempt, with jitter. @default 1000 */
  backoffBaseMs: number;
  /** Cap of the backoff delay. @default 300000 */
  backoffMaxMs: number;
  /** A publish without a confirm after this long counts as failed. @default 10000 */
  confirmTimeoutMs: number;
  /**
   * Publish the unkeyed rows this process writes from memory right after their transaction commits,
   * leased to this relay in the same INSERT, instead of waking a claim for them (ADR 0210). @default true
   */
  publishAtCommit: boolean;
  /**
   * Identity of this relay in `locked_by` and partition leases: at most 64 printable ASCII characters.
   * @default `${serviceName}@${hostname}:${pid}:<random>`, the host name shortened to fit
   */
  ownerId: string;
}

/**
 * Relay partitions of keyed rows (`hash(key) % count`, docs/ordering.md). One relay instance owns a
 * partition at a time.
 */
export interface RelayPartitionOptions {
  /** Number of partitions. Changing it keeps order: a row still waits for every earlier unsent row of its key. @default 16 */
  count: number;
  /** How long a relay owns a partition without renewing; renewed every third of it. @default 15000 */
  leaseMs: number;
}

/** How long sent outbox rows are kept and how they are purged. */
export interface RetentionOptions {
  /** Sent rows are kept this long, then purged. 0 deletes at once. @default 86400000 (24 h) */
  sentRowsMs: number;
  /** Rows deleted per purge statement. @default 1000 */
  purgeBatchSize: number;
  /** How often the purge runs. @default 60000 */
  purgeIntervalMs: number;
}

export const OUTBOX_DEFAULTS: OutboxOptions = { maxPayloadBytes: 256 * 1024 };

export const RELAY_DEFAULTS: RelayOptions = {
  enabled: true,
  pollIntervalMs: 1000,
  batchSize: 2000,
  publishWindow: 6000,
  leaseMs: 30_000,
  maxAttempts: 10,
  backoffBaseMs: 1000,
  backoffMaxMs: 300_000,
  confirmTimeoutMs: 10_000,
  publishAtCommit: true,
  ownerId: '',
};

export const RELAY_PARTITION_DEFAULTS: RelayPartitionOptions = { count: 16, leaseMs: 15_000 };

export const RETENTION_DEFAULTS: RetentionOptions = {
  sentRowsMs: 24 * 3600_000,
  purgeBatchSize: 1000,
  purgeIntervalMs: 60_000,
};
