import { randomUUID } from 'node:crypto';
import { waitFor } from '../../libs/messaging/test/support';
import { ORDER_EVENT_TYPES } from '../../apps/consumer/src/billing/order-event.dto';
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
  if (plan.nodeLoss) {
    const { afterShare } = plan.nodeLoss;
    await waitFor(async () => (await handledCount(apps)) >= plan.messages * afterShare, {
      what: `${afterShare * 100}% of the messages handled before the node loss`,
      timeoutMs: plan.timeoutMs,
      intervalMs: 200,
    });
    nodeLoss = await loseNode(apps, plan.nodeLoss.downMs);
  }

  await writing;
  await waitFor(async () => (await handledCount(apps)) >= plan.messages, {
    what: `all ${plan.messages} messages handled`,
    timeoutMs: plan.timeoutMs,
    intervalMs: 250,
  }).catch(async (error: Error) => {
    throw new Error(
      `${error.message} (handled ${await handledCount(apps)}, outbox pending ${await apps.pendingOutbox()})\n${apps.output()}`,
    );
  });
  const seconds = (performance.now() - started) / 1000;
  // Late redeliveries would show up as duplicate effects: give them a moment to land.
  await sleep(2000);
  return {
    ...(await verdict(apps, run, plan)),
    nodeLoss,
    seconds,
    endToEndPerSecond: plan.messages / seconds,
  };
}

/**
 * SIGKILLs the node leading most partition queues, waits until every app reconnected to a surviving node
 * and every partition queue has all its consumers again, keeps the node down for `downMs`, restarts it.
 */
async function loseNode(apps: ClusterApps, downMs: number): Promise<NodeLossEvidence> {
  const victim = await busiestLeader(apps);
  const appCount = apps.producers.length + apps.consumers.length;
  const handledBefore = await handledCount(apps);
  const [{ now: killedAt }] = await apps.sql<{ now: string }>(
    apps.ordersDb,
    'SELECT UTC_TIMESTAMP(3) AS now',
  );
  const killed = performance.now();
  apps.downNode = victim;
  await apps.cluster.kill(victim);
  await waitFor(
    async () =>
      (await apps.liveConnections()) === appCount &&
      (await apps.liveConsumersPerQueue()).every((n) => n === apps.consumers.length),
    { what: 'every app reconnected to a surviving node', timeoutMs: 60_000, intervalMs: 250 },
  );
  const failoverSeconds = (performance.now() - killed) / 1000;
  await sleep(Math.max(0, downMs - (performance.now() - killed)));
  const connectionsWhileDown = await apps.liveConnections();
  const consumersWhileDown = await apps.liveConsumersPerQueue();
  const [relays] = await apps.sql<{ n: number }>(
    apps.ordersDb,
    'SELECT COUNT(DISTINCT locked_by) AS n FROM outbox_message WHERE sent_at > ? AND sent_at <= UTC_TIMESTAMP(3)',
    [killedAt],
  );
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
    relaysPublishingWhileDown: Number(relays.n),
    handledWhileDown,
  };
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
    messages: plan.messages,
    keys: plan.keys,
    handled: seen.size,
    lost: plan.messages - seen.size,
    duplicateEffects,
    orderViolations,
    deadLetters: Number(orders[0].n) + Number(billing[0].n),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
