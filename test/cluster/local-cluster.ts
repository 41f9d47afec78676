import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../libs/messaging/test/support';

const run = promisify(execFile);

export interface LocalClusterSettings {
  /** Node names are `<prefix>1@localhost`… */
  nodePrefix: string;
  /** AMQP ports are base+1…base+3; management and distribution ports are base+10000 and base+20000. */
  portBase: number;
  size?: number;
}

/** Node-loss control and broker facts of a cluster started by `scripts/cluster.sh`. */
export interface LocalCluster {
  size: number;
  urls: string[];
  nodeName(n: number): string;
  /** `scripts/cluster.sh up`; idempotent. */
  up(): Promise<string>;
  down(): Promise<string>;
  kill(n: number): Promise<void>;
  start(n: number): Promise<void>;
  /** Management HTTP API of node n (guest/guest on loopback). */
  management<T>(n: number, method: string, path: string, body?: unknown): Promise<T>;
}

export function localCluster(settings: LocalClusterSettings): LocalCluster {
  const size = settings.size ?? 3;
  const nodes = Array.from({ length: size }, (_, i) => i + 1);
  const env = {
    ...process.env,
    CLUSTER_DIR: join(tmpdir(), `rabbitmq-cluster-${settings.nodePrefix}`),
    CLUSTER_NODE_PREFIX: settings.nodePrefix,
    CLUSTER_AMQP_BASE: String(settings.portBase),
    CLUSTER_MANAGEMENT_BASE: String(settings.portBase + 10_000),
    CLUSTER_DIST_BASE: String(settings.portBase + 20_000),
    CLUSTER_SIZE: String(size),
  };
  const script = async (...args: string[]) => {
    const { stdout } = await run('bash', [join(REPO_ROOT, 'scripts/cluster.sh'), ...args], {
      env,
      timeout: 300_000,
    });
    return stdout;
  };
  return {
    size,
    urls: nodes.map((n) => `amqp://guest:guest@127.0.0.1:${settings.portBase + n}`),
    nodeName: (n) => `${settings.nodePrefix}${n}@localhost`,
    up: () => script('up'),
    down: () => script('down'),
    kill: (n) => script('kill', String(n)).then(() => undefined),
    start: (n) => script('start', String(n)).then(() => undefined),
    management: async <T>(n: number, method: string, path: string, body?: unknown) => {
      const response = await fetch(`http://127.0.0.1:${settings.portBase + 10_000 + n}${path}`, {
        method,
        headers: {
          authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`,
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok)
        throw new Error(`management ${method} ${path} on node ${n}: ${response.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

/** The cluster URLs starting at a different node for each app instance, so connections spread. */
export function rotatedUrls(urls: string[], instance: number): string {
  const start = instance % urls.length;
  return [...urls.slice(start), ...urls.slice(0, start)].join(',');
}
