/** Tuning of the transactional outbox and its relay. Every field has a default (see OUTBOX_DEFAULTS). */
export interface OutboxOptions {
  /** Start the relay in this process. @default true */
  relayEnabled: boolean;
  /** Largest serialized payload accepted by `OutboxService.add`. @default 262144 (256 KiB) */
  maxPayloadBytes: number;
  /** Fallback poll when no post-commit wake-up arrives. @default 1000 */
  pollIntervalMs: number;
  /** Rows claimed per claim query; larger batches spread its fixed cost (ADR 0205). @default 2000 */
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
  /** Sent rows are kept this long, then purged. 0 deletes at once. @default 86400000 (24 h) */
  retentionMs: number;
  /** Rows deleted per purge statement. @default 1000 */
  purgeBatchSize: number;
  /** A pending row older than this raises a stuck-outbox alert. @default 300000 */
  stuckAfterMs: number;
  /**
   * Relay partitions of keyed rows (`hash(key) % relayPartitions`). One relay instance owns a partition at
   * a time. Changing it keeps order: a row still waits for every earlier unsent row of its key.
   * @default 16
   */
  relayPartitions: number;
  /** How long a relay owns a partition without renewing; renewed every third of it. @default 15000 */
  partitionLeaseMs: number;
  /** Identity of this relay in `locked_by` and partition leases. @default `${serviceName}@${hostname}:${pid}:<random>` */
  relayOwnerId: string;
  /** How often the retention purge runs. @default 60000 */
  purgeIntervalMs: number;
  /** How often pending rows are counted (metrics) and checked for the stuck alert. @default 30000 */
  stuckCheckIntervalMs: number;
}

export const OUTBOX_DEFAULTS: OutboxOptions = {
  relayEnabled: true,
  maxPayloadBytes: 256 * 1024,
  pollIntervalMs: 1000,
  batchSize: 2000,
  publishWindow: 6000,
  leaseMs: 30_000,
  maxAttempts: 10,
  backoffBaseMs: 1000,
  backoffMaxMs: 300_000,
  confirmTimeoutMs: 10_000,
  retentionMs: 24 * 3600_000,
  purgeBatchSize: 1000,
  stuckAfterMs: 300_000,
  relayPartitions: 16,
  partitionLeaseMs: 15_000,
  relayOwnerId: '',
  purgeIntervalMs: 60_000,
  stuckCheckIntervalMs: 30_000,
};
