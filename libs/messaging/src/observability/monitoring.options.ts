/** Readiness thresholds, probes, the stuck-outbox check and `/metrics` content. */
export interface MonitoringOptions {
  /**
   * The oldest unpublished outbox row may be this old: beyond it the stuck-outbox alert fires and
   * `/health/ready` fails (the relay is not keeping up or cannot publish). @default 300000 (5 min)
   */
  outboxStuckAfterMs: number;
  /** How often pending rows are counted (metrics) and checked for the stuck alert. @default 30000 */
  outboxCheckIntervalMs: number;
  /**
   * `/health/ready` fails once the broker connection has been down this long. Short blips (a node
   * restart, a failover) stay ready: the outbox keeps accepting writes meanwhile. @default 5000
   */
  brokerUnreachableMs: number;
  /** How often the broker connection state is sampled. @default 1000 */
  brokerSampleIntervalMs: number;
  /** Timeout of each readiness probe (MySQL ping, Redis ping, outbox query). @default 2000 */
  probeTimeoutMs: number;
  /** Add prom-client's default Node metrics (event loop, heap, GC) to `/metrics`. @default true */
  defaultNodeMetrics: boolean;
}

export const MONITORING_DEFAULTS: MonitoringOptions = {
  outboxStuckAfterMs: 300_000,
  outboxCheckIntervalMs: 30_000,
  brokerUnreachableMs: 5000,
  brokerSampleIntervalMs: 1000,
  probeTimeoutMs: 2000,
  defaultNodeMetrics: true,
};
