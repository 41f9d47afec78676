/** Health, metrics and HTTP hardening. Every field has a default (see OBSERVABILITY_DEFAULTS). */
export interface ObservabilityOptions {
  /**
   * `/health/ready` fails once the broker connection has been down this long. Short blips (a node
   * restart, a failover) stay ready: the outbox keeps accepting writes meanwhile.
   * @default 5000
   */
  brokerUnreachableMs: number;
  /**
   * `/health/ready` fails while the oldest unpublished outbox row is older than this: the relay is not
   * keeping up or cannot publish. @default 300000 (5 min, like outbox.stuckAfterMs)
   */
  outboxMaxAgeMs: number;
  /** How often the broker connection state is sampled. @default 1000 */
  brokerSampleIntervalMs: number;
  /** Timeout of each readiness probe (MySQL ping, Redis ping, outbox query). @default 2000 */
  probeTimeoutMs: number;
  /** Add prom-client's default Node metrics (event loop, heap, GC) to `/metrics`. @default true */
  defaultNodeMetrics: boolean;
}

export const OBSERVABILITY_DEFAULTS: ObservabilityOptions = {
  brokerUnreachableMs: 5000,
  outboxMaxAgeMs: 300_000,
  brokerSampleIntervalMs: 1000,
  probeTimeoutMs: 2000,
  defaultNodeMetrics: true,
};
