/** Names and shape of the broker objects the library declares. */
export interface TopologyOptions {
  /** Prefix of every exchange and queue name. @default 'app' */
  prefix: string;
  /** Partition queues behind the consistent-hash exchange of an ordered stream. @default 4 */
  partitions: number;
}

export const TOPOLOGY_DEFAULTS: TopologyOptions = {
  prefix: 'app',
  partitions: 4,
};
