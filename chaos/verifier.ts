import { managementApi } from '../libs/messaging/test/support';
import type { ChaosFleet } from './chaos-fleet';

export interface Verdict {
  /** Order events committed with their order (sum of every order's `seq`). */
  sent: number;
  /** Distinct message ids in the ledger. */
  handled: number;
  /** Committed events neither in the ledger nor (for poison orders) in dead_letter. */
  lost: number;
  /** Events of ordinary orders that ended in dead_letter instead of the ledger (counted in `lost`). */
  parkedGood: number;
  /** Ledger rows beyond the first per message id. */
  duplicates: number;
  /** Ledger rows of an order whose seq is not the next one after the previous distinct row's. */
  orderViolations: number;
  /**
   * Distinct events in the ledger whose business write never committed (no such order, or a seq beyond
   * the order's committed one): G1's "only if" half, a message published for a rolled-back transaction.
   */
  phantoms: number;
  /** Rows in the consumer's and the producer's dead_letter tables. */
  parked: number;
  /**
   * Where `parked` goes beyond one row per poison event: consumer rows of an event parked before (by
   * reason, e.g. a redelivery after a crash between the row and the ack), and producer (publish) rows.
   */
  parkedExtra: { repeats: Record<string, number>; publish: Record<string, number> };
  poisonEvents: number;
  /** Events of poison orders missing from dead_letter. */
  poisonMissing: number;
  outboxPending: number;
  /** Messages still in the run's queues (work and broker dead-letter queues). */
  queuedMessages: number;
  brokerDeadLettered: number;
}

interface OrderRow {
  id: string;
  customerId: string;
  seq: number;
}

interface LedgerRow {
  messageId: string;
  orderId: string;
  seq: number;
}

interface DeadLetterRow {
  payload: string;
  reason: string;
}

interface QueueInfo {
  name: string;
  messages?: number;
}

/** Everything the acceptance checks need, read from the databases and the broker after quiescence. */
export async function verify(fleet: ChaosFleet): Promise<Verdict> {
  const orders = await fleet.query<OrderRow>(
    fleet.ordersDb,
    'SELECT id, customer_id AS customerId, seq FROM orders',
  );
  const ledger = await fleet.query<LedgerRow>(
    fleet.billingDb,
    'SELECT message_id AS messageId, order_id AS orderId, seq FROM billing_ledger ORDER BY id',
  );
  const consumerParked = await fleet.query<DeadLetterRow>(
    fleet.billingDb,
    'SELECT payload, reason FROM dead_letter ORDER BY id',
  );
  const publishParked = await fleet.query<{ reason: string }>(
    fleet.ordersDb,
    'SELECT reason FROM dead_letter',
  );
  const [pending] = await fleet.query<{ n: number }>(
    fleet.ordersDb,
    'SELECT COUNT(*) AS n FROM outbox_message WHERE sent_at IS NULL',
  );
  const queues = await queueDepths(fleet.vhost.name);

  const handledEvents = new Set(ledger.map((row) => `${row.orderId}:${row.seq}`));
  const parkedEvents = new Set(consumerParked.map((row) => eventOf(row.payload)));
  let sent = 0;
  let lost = 0;
  let parkedGood = 0;
  let poisonEvents = 0;
  let poisonMissing = 0;
  for (const order of orders) {
    const poison = order.customerId.startsWith('fail-always');
    for (let seq = 1; seq <= order.seq; seq++) {
      const event = `${order.id}:${seq}`;
      sent++;
      if (poison) {
        poisonEvents++;
        if (!parkedEvents.has(event)) poisonMissing++;
        if (!parkedEvents.has(event) && !handledEvents.has(event)) lost++;
      } else if (!handledEvents.has(event)) {
        lost++;
        if (parkedEvents.has(event)) parkedGood++;
      }
    }
  }
  const committed = new Map(orders.map((order) => [order.id, Number(order.seq)]));
  const phantoms = [...handledEvents].filter((event) => {
    const [orderId, seq] = event.split(':');
    return Number(seq) > (committed.get(orderId) ?? 0);
  }).length;
  const dedupe = duplicatesAndOrder(ledger);
  return {
    sent,
    handled: dedupe.distinct,
    lost,
    parkedGood,
    duplicates: dedupe.duplicates,
    orderViolations: dedupe.orderViolations,
    phantoms,
    parked: consumerParked.length + publishParked.length,
    parkedExtra: {
      repeats: repeatsByReason(consumerParked),
      publish: countBy(publishParked.map((r) => r.reason)),
    },
    poisonEvents,
    poisonMissing,
    outboxPending: Number(pending.n),
    queuedMessages: queues.reduce((sum, q) => sum + (q.messages ?? 0), 0),
    brokerDeadLettered: queues
      .filter((q) => q.name.endsWith('.dlq'))
      .reduce((sum, q) => sum + (q.messages ?? 0), 0),
  };
}

/** Ledger rows in handling order: repeats of a message id, and per order each new seq must be the next. */
function duplicatesAndOrder(ledger: LedgerRow[]): {
  distinct: number;
  duplicates: number;
  orderViolations: number;
} {
  const seen = new Set<string>();
  const lastSeq = new Map<string, number>();
  let duplicates = 0;
  let orderViolations = 0;
  for (const row of ledger) {
    if (seen.has(row.messageId)) {
      duplicates++;
      continue;
    }
    seen.add(row.messageId);
    const previous = lastSeq.get(row.orderId) ?? 0;
    if (row.seq !== previous + 1) orderViolations++;
    lastSeq.set(row.orderId, Math.max(previous, row.seq));
  }
  return { distinct: seen.size, duplicates, orderViolations };
}

function eventOf(payload: string): string {
  try {
    const event = JSON.parse(payload) as { orderId?: string; seq?: number };
    return `${event.orderId}:${event.seq}`;
  } catch {
    return 'unparseable';
  }
}

export async function queueDepths(vhost: string): Promise<QueueInfo[]> {
  return (await managementApi(
    'GET',
    `/api/queues/${encodeURIComponent(vhost)}?columns=name,messages`,
  )) as QueueInfo[];
}

/** Consumer dead letters of an event that already had one, by the repeat's reason. */
function repeatsByReason(rows: DeadLetterRow[]): Record<string, number> {
  const seen = new Set<string>();
  const repeats: string[] = [];
  for (const row of rows) {
    const event = eventOf(row.payload);
    if (seen.has(event)) repeats.push(row.reason);
    seen.add(event);
  }
  return countBy(repeats);
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
