/** Defaults for reliable subscriptions; each subscription may override them. */
export interface ConsumingOptions {
  /** Unacked deliveries per consumer channel. @default 50 */
  prefetch: number;
  /** Lifetime of a `processing` dedupe mark (a crashed handler's mark expires). @default 60000 */
  dedupeProcessingTtlMs: number;
  /** How long a `done` mark keeps suppressing redeliveries: the dedupe window. @default 86400000 (24 h) */
  dedupeDoneTtlMs: number;
  /** Failed attempts before a message is parked. @default 3 */
  maxAttempts: number;
  /** Delays of the retry queues (one queue per delay). @default [1000, 10000, 60000] */
  retryDelaysMs: number[];
  /** Largest message body accepted; larger ones are parked. @default 262144 */
  maxMessageBytes: number;
  /** Broker-side backstop: deliveries of one message before the quorum queue dead-letters it. @default 10 */
  deliveryLimit: number;
  /** Inbox group commit: how long the first delivery of a batch waits for others. @default 2 */
  inboxBatchLingerMs: number;
  /** Inbox group commit: most deliveries per transaction (capped at prefetch / concurrency; 1 = off). @default 50 */
  inboxBatchMaxSize: number;
}

export const CONSUMING_DEFAULTS: ConsumingOptions = {
  prefetch: 50,
  dedupeProcessingTtlMs: 60_000,
  dedupeDoneTtlMs: 24 * 3600_000,
  maxAttempts: 3,
  retryDelaysMs: [1000, 10_000, 60_000],
  maxMessageBytes: 256 * 1024,
  deliveryLimit: 10,
  inboxBatchLingerMs: 2,
  inboxBatchMaxSize: 50,
};
