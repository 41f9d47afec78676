import { randomUUID } from 'node:crypto';
import { waitFor } from '../../libs/messaging/test/support';
import { ClusterApps, LoadRow } from './cluster-apps';
import type { LocalCluster } from './local-cluster';

export interface RelayThroughput {
  relays: number;
  messages: number;
  keys: number;
  /** From the first row written to the last row marked sent. */
  perSecond: number;
  /** Between the first and the last `sent_at`: the relays' drain rate alone. */
  drainPerSecond: number;
}

/**
 * Relay throughput with `relays` producer processes on the cluster: the billing topology is declared (one
 * consumer started, then stopped, so consuming does not share the CPU), the relays are started and have
 * split the outbox partitions, then `messages` keyed rows over `keys` keys are committed at once and the
 * time until the last one is marked sent is measured.
 */
export async function measureRelayThroughput(
  cluster: LocalCluster,
  relays: number,
  messages: number,
  keys: number,
): Promise<RelayThroughput> {
  const apps = await ClusterApps.create(cluster, `relays${relays}`);
  try {
    await apps.startConsumers(1);
    await apps.consumers[0].kill();
    await apps.startProducers(relays);
    await apps.relaysBalanced(relays);
    const keyIds = Array.from({ length: keys }, () => randomUUID());
    const rows: LoadRow[] = Array.from({ length: messages }, (_, i) => ({
      messageId: randomUUID(),
      key: keyIds[i % keys],
      routingKey: 'order.created',
      payload: { type: 'order.created', orderId: keyIds[i % keys], n: i, pad: 'x'.repeat(150) },
    }));
    const started = performance.now();
    for (let i = 0; i < rows.length; i += 2000) await apps.writeOutbox(rows.slice(i, i + 2000));
    await waitFor(async () => (await apps.pendingOutbox()) === 0, {
      what: `${messages} rows sent by ${relays} relays`,
      timeoutMs: 600_000,
      intervalMs: 50,
    });
    const seconds = (performance.now() - started) / 1000;
    const [span] = await apps.sql<{ us: number }>(
      apps.ordersDb,
      'SELECT TIMESTAMPDIFF(MICROSECOND, MIN(sent_at), MAX(sent_at)) AS us FROM outbox_message',
    );
    return {
      relays,
      messages,
      keys,
      perSecond: Math.round(messages / seconds),
      drainPerSecond: Math.round(messages / (Number(span.us) / 1e6)),
    };
  } finally {
    await apps.dispose();
  }
}
