// The scale-out acceptance (docs/scaling.md) on a local three-node RabbitMQ cluster (scripts/cluster.sh), then relay throughput
// with 1, 2 and 3 relay processes. Needs the built apps (npm run build) and scripts/services.sh ensure.
// Run: node -r ./libs/messaging/test/support/register-ts.js scripts/cluster-acceptance.ts [--skip-throughput]
//        [--skip-acceptance] [--messages 10000] [--keys 500] [--throughput-messages 20000]
// The cluster is removed afterwards, also when a step fails.
import { loadavg } from 'node:os';
import { localCluster } from '../test/cluster/local-cluster';
import { ClusterApps } from '../test/cluster/cluster-apps';
import { runOrderedLoad } from '../test/cluster/ordered-run';
import { measureRelayThroughput } from '../test/cluster/relay-throughput-run';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};

const MESSAGES = argument('messages', 10_000);
const KEYS = argument('keys', 500);
const THROUGHPUT_MESSAGES = argument('throughput-messages', 20_000);
const INSTANCES = 3;

const print = (line: string) => process.stdout.write(`${line}\n`);

async function acceptance(cluster: ReturnType<typeof localCluster>): Promise<boolean> {
  const apps = await ClusterApps.create(cluster, 'cluster_acceptance');
  try {
    await apps.startConsumers(INSTANCES);
    await apps.startProducers(INSTANCES);
    const queues = await Promise.all(
      [
        'app.orders.billing.p0',
        'app.orders.billing.p1',
        'app.orders.billing.p2',
        'app.orders.billing.p3',
      ].map((q) => apps.queue(q)),
    );
    for (const q of queues)
      print(`queue ${q.name}: ${q.type}, leader ${q.leader}, members ${q.members?.join(' ')}`);
    const report = await runOrderedLoad(apps, {
      messages: MESSAGES,
      keys: KEYS,
      roundIntervalMs: 1000,
      nodeLoss: { afterShare: 0.2, downMs: 15_000 },
      timeoutMs: 600_000,
    });
    print(JSON.stringify(report, null, 2));
    return report.lost === 0 && report.duplicateEffects === 0 && report.orderViolations === 0;
  } finally {
    await apps.dispose();
  }
}

async function main(): Promise<void> {
  const cluster = localCluster({ nodePrefix: 'rabbit-acc', portBase: 5720 });
  let passed: boolean;
  try {
    print(await cluster.up());
    passed = process.argv.includes('--skip-acceptance') || (await acceptance(cluster));
    print(
      `acceptance: ${process.argv.includes('--skip-acceptance') ? 'skipped' : passed ? 'PASSED' : 'FAILED'}`,
    );
    if (!process.argv.includes('--skip-throughput')) {
      for (const relays of [1, 2, 3]) {
        const measured = await measureRelayThroughput(cluster, relays, THROUGHPUT_MESSAGES, KEYS);
        // The machine is shared: the load average says how much of it the measurement had.
        print(JSON.stringify({ ...measured, loadAverage1m: Number(loadavg()[0].toFixed(1)) }));
      }
    }
  } finally {
    print(await cluster.down());
  }
  process.exitCode = passed ? 0 : 1;
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
