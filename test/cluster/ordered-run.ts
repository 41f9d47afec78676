import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../../libs/messaging/test/support';
import { ORDER_EVENT_TYPES } from '../../apps/consumer/src/billing/order-event.dto';
import { outboxPartitionOf } from '@app/messaging/testing';
import { RELAY_PARTITION_DEFAULTS } from '@app/messaging/testing';
import { ClusterApps, LoadRow, PARTITION_QUEUES } from './cluster-apps';

export interface OrderedRunPlan {
  messages: number;
  keys: number;
  /** The load is written in this many rounds (one message per key each), spread over the run. */
  roundIntervalMs: number;
  /** SIGKILL the node leading most partition queues once this share of the messages was handled. */
  nodeLoss?: { afterShare: number; downMs: number };
  timeoutMs: number;
}

/** What happened while the killed node was down: every app must have failed over to a surviving node. */
export interface NodeLossEvidence {
  node: string;
  downSeconds: number;
  /** Seconds until every app had a connection to a surviving node and every partition queue all its consumers. */
  failoverSeconds: number;
  apps: number;
  connectionsWhileDown: number;
  /** Per partition queue, consumers on surviving nodes (one per consumer process when all failed over). */
  consumersWhileDown: number[];
  /** Relay instances that marked rows sent while the node was down (their confirm channels failed over). */
  relaysPublishingWhileDown: number;
  /**
   * Per relay: seconds from the kill to its new connection (`connected_at` of the connection named after
   * its process; 0 when its connection was on a surviving node and never dropped) and to its first row
   * marked sent.
   */
  relays: Array<{ owner: string; reconnectSeconds: number | null; firstPublishSeconds: number | null }>;
  handledWhileDown: number;
}

export interface OrderedRunReport {
  messages: number;
  keys: number;
  handled: number;
  lost: number;
  duplicateEffects: number;
  orderViolations: number;
  deadLetters: number;
  nodeLoss?: NodeLossEvidence;
  seconds: number;
  endToEndPerSecond: number;
}

/**
 * Writes `messages` ordered events over `keys` ordering keys into the outbox in rounds, lets the relays
 * and consumers already running in `apps` carry them, optionally kills and restarts one broker node on
 * the way, and counts lost messages, duplicate effects (ledger rows per message id) and order violations
 * (a key's ledger rows, in insertion order, must follow the order the key's messages were written in).
 *
 * The position of a message within its key travels in its message id (`<run>-<key>-<position>`): the
 * billing schema only admits seq 1..3, the order events of one real order.
 */
export async function runOrderedLoad(apps: ClusterApps, plan: OrderedRunPlan): Promise<OrderedRunReport> {
  const run = randomUUID().slice(0, 8);
  const keys = Array.from({ length: plan.keys }, () => randomUUID());
  const perKey = Math.ceil(plan.messages / plan.keys);
  const started = performance.now();

  const writing = (async () => {
    for (let position = 0; position < perKey; position++) {
      const rows: LoadRow[] = [];
      keys.forEach((key, k) => {
        if (position * plan.keys + k < plan.messages) rows.push(loadRow(run, key, k, position));
      });
      await apps.writeOutbox(rows);
      await sleep(plan.roundIntervalMs);
    }
  })();

  let nodeLoss: NodeLossEvidence | undefined;
  // The node loss adds one probe message per relay partition (see loseNode).
  const expected = plan.messages + (plan.nodeLoss ? RELAY_PARTITION_DEFAULTS.count : 0);
  if (plan.nodeLoss) {
    const { afterShare } = plan.nodeLoss;
    await waitFor(async () => (await handledCount(apps)) >= plan.messages * afterShare, {
      what: `${afterShare * 100}% of the messages handled before the node loss`,
      timeoutMs: plan.timeoutMs,
      intervalMs: 200,
    });
    nodeLoss = await loseNode(apps, run, plan.nodeLoss.downMs);
  }

  await writing;
  await waitFor(async () => (await handledCount(apps)) >= expected, {
    what: `all ${expected} messages handled`,
    timeoutMs: plan.timeoutMs,
    intervalMs: 250,
  }).catch(async (error: Error) => {
    throw new Error(
      `${error.message} (handled ${await handledCount(apps)}, outbox pending ${await apps.pendingOutbox()})\n${apps.output()}`,
    );
  });
  const seconds = (performance.now() - started) / 1000;
  // Late redeliveries would show up as duplicate effects: count only once nothing is left to deliver.
  await apps.quiesced();
  return {
    ...(await verdict(apps, run, plan, expected)),
    nodeLoss,
    seconds,
    endToEndPerSecond: plan.messages / seconds,
  };
}

/**
 * SIGKILLs the node leading most partition queues and keeps it down until every app reconnected to a
 * surviving node, every partition queue has all its consumers again and every relay published at least
 * once since the kill (and at least `downMs`), then restarts it. Waiting for each relay's first publish,
 * instead of counting publishers inside a fixed window, measures each relay's fail-over time: a relay that
 * never fails over times the wait out, a slow one shows in `relays`.
 */
async function loseNode(apps: ClusterApps, run: string, downMs: number): Promise<NodeLossEvidence> {
  const victim = await busiestLeader(apps);
  const appCount = apps.producers.length + apps.consumers.length;
  const handledBefore = await handledCount(apps);
  const relayOwners = await liveRelays(apps);
  const [{ now: killedAt }] = await apps.sql<{ now: string }>(
    apps.ordersDb,
    'SELECT UTC_TIMESTAMP(3) AS now',
  );
  const killed = performance.now();
  const killedEpochMs = Date.now();
  apps.downNode = victim;
  await apps.cluster.kill(victim);
  await waitFor(
    async () =>
      (await apps.liveConnections()) === appCount &&
      (await apps.liveConsumersPerQueue()).every((n) => n === apps.consumers.length),
    { what: 'every app reconnected to a surviving node', timeoutMs: 60_000, intervalMs: 250 },
  );
  const failoverSeconds = (performance.now() - killed) / 1000;
  // Every relay gets work now, whatever the load had left: one message in each relay partition. Without
  // it a relay whose partitions were already drained would publish nothing, and the count would say so.
  await apps.writeOutbox(probeRows(run));
  const relays = await waitFor(
    async () => {
      const published = await relayFirstPublish(apps, relayOwners, killedAt);
      return published.every((r) => r.firstPublishSeconds !== null) && published;
    },
    {
      what: `each of ${relayOwners.length} relays publishing after the kill`,
      timeoutMs: 60_000,
      intervalMs: 250,
    },
  );
  await sleep(Math.max(0, downMs - (performance.now() - killed)));
  const connections = await apps.liveConnectionDetails();
  const connectionsWhileDown = connections.length;
  const consumersWhileDown = await apps.liveConsumersPerQueue();
  const handledWhileDown = (await handledCount(apps)) - handledBefore;
  const downSeconds = (performance.now() - killed) / 1000;
  await apps.cluster.start(victim);
  apps.downNode = undefined;
  return {
    node: apps.cluster.nodeName(victim),
    downSeconds,
    failoverSeconds,
    apps: appCount,
    connectionsWhileDown,
    consumersWhileDown,
    relaysPublishingWhileDown: relays.length,
    relays: relays.map((relay) => {
      const connection = connections.find((c) => relay.owner.startsWith(`${c.name}:`));
      return {
        ...relay,
        reconnectSeconds: connection ? Math.max(0, (connection.connectedAt - killedEpochMs) / 1000) : null,
      };
    }),
    handledWhileDown,
  };
}

/** One keyed message per relay partition: message id `<run>-probe<p>-0`, so the verdict counts it too. */
function probeRows(run: string): LoadRow[] {
  const partitions = RELAY_PARTITION_DEFAULTS.count;
  const keys = new Map<number, string>();
  while (keys.size < partitions) {
    const key = randomUUID();
    const partition = outboxPartitionOf(key, partitions);
    if (!keys.has(partition)) keys.set(partition, key);
  }
  return [...keys].map(([partition, key]) => ({
    ...loadRow(run, key, 0, 0),
    messageId: `${run}-probe${partition}-0`,
  }));
}

/** Relay instances alive now (their owner ids are `<service>@<host>:<pid>:<random>`). */
async function liveRelays(apps: ClusterApps): Promise<string[]> {
  const rows = await apps.sql<{ owner: string }>(
    apps.ordersDb,
    'SELECT owner FROM outbox_relay_instance WHERE alive_until > UTC_TIMESTAMP(3) ORDER BY owner',
  );
  return rows.map((r) => r.owner);
}

/** Seconds from `since` to each relay's first row marked sent after it, or null while it has none. */
async function relayFirstPublish(
  apps: ClusterApps,
  owners: string[],
  since: string,
): Promise<Array<{ owner: string; firstPublishSeconds: number | null }>> {
  const rows = await apps.sql<{ owner: string; seconds: string }>(
    apps.ordersDb,
    `SELECT locked_by AS owner, TIMESTAMPDIFF(MICROSECOND, ?, MIN(sent_at)) / 1000000 AS seconds
     FROM outbox_message WHERE sent_at > ? GROUP BY locked_by`,
    [since, since],
  );
  return owners.map((owner) => {
    const row = rows.find((r) => r.owner === owner);
    return { owner, firstPublishSeconds: row ? Number(row.seconds) : null };
  });
}

function loadRow(run: string, key: string, k: number, position: number): LoadRow {
  const type = ORDER_EVENT_TYPES[position % ORDER_EVENT_TYPES.length];
  return {
    messageId: `${run}-${k}-${position}`,
    key,
    routingKey: type,
    payload: {
      type,
      orderId: key,
      customerId: `customer-${k}`,
      amountCents: 100 + position,
      seq: (position % 3) + 1,
      occurredAt: new Date().toISOString(),
    },
  };
}

async function handledCount(apps: ClusterApps): Promise<number> {
  const [row] = await apps.sql<{ n: number }>(
    apps.billingDb,
    'SELECT COUNT(DISTINCT message_id) AS n FROM billing_ledger',
  );
  return Number(row.n);
}

/** The node leading most partition queues: losing it moves every one of those leaders. */
async function busiestLeader(apps: ClusterApps): Promise<number> {
  const leaders = await Promise.all(PARTITION_QUEUES.map(async (q) => (await apps.queue(q)).leader));
  const counts = Array.from({ length: apps.cluster.size }, (_, i) => {
    const name = apps.cluster.nodeName(i + 1);
    return leaders.filter((leader) => leader === name).length;
  });
  return counts.indexOf(Math.max(...counts)) + 1;
}

async function verdict(
  apps: ClusterApps,
  run: string,
  plan: OrderedRunPlan,
  expected: number,
): Promise<Omit<OrderedRunReport, 'seconds' | 'endToEndPerSecond' | 'nodeLoss'>> {
  const ledger = await apps.sql<{ message_id: string }>(
    apps.billingDb,
    'SELECT message_id FROM billing_ledger ORDER BY id',
  );
  const seen = new Set<string>();
  const lastPosition = new Map<string, number>();
  let duplicateEffects = 0;
  let orderViolations = 0;
  for (const { message_id: messageId } of ledger) {
    if (seen.has(messageId)) {
      duplicateEffects++;
      continue;
    }
    seen.add(messageId);
    const [, key, position] = messageId.split('-');
    if (!messageId.startsWith(`${run}-`)) continue;
    if (Number(position) <= (lastPosition.get(key) ?? -1)) orderViolations++;
    lastPosition.set(key, Number(position));
  }
  const [orders, billing] = await Promise.all(
    [apps.ordersDb, apps.billingDb].map((db) =>
      apps.sql<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM dead_letter'),
    ),
  );
  return {
    messages: expected,
    keys: plan.keys,
    handled: seen.size,
    lost: expected - seen.size,
    duplicateEffects,
    orderViolations,
    deadLetters: Number(orders[0].n) + Number(billing[0].n),
  };
}
