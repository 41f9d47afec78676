import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxService, TopologyService, topologyNames } from '@app/messaging';
import { createEffectTable, query } from '../consuming/effect-table';
import { ChildApp, managementApi, startChild, TestNamespace, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';

/** The consumer fixture's ordered subscription: stream `orders`, consumer `ordered`, effects in `test_effect`. */
export const CONSUMER_FIXTURE = join(__dirname, '..', 'consuming', 'fixtures', 'consumer-app.fixture.ts');
export const RELAY_FIXTURE = join(__dirname, '..', 'publishing', 'relay-process.fixture.ts');
export const STREAM = 'orders';
/** Writers and relays must agree on it: it is stored in each row's `partition`. */
export const RELAY_PARTITIONS = 16;

export interface Effect {
  id: number;
  message_id: string;
  ordering_key: string;
  seq: number;
  instance: string;
}

export const keyName = (index: number) => `order-${index}`;

/**
 * `useTestNamespace` for an ordering test (top level of the file, likewise): its `test_effect` table,
 * where the ordered handlers write, is made in `beforeAll` before any consumer starts.
 */
export function useOrderingNamespace(label: string): TestNamespace {
  const ns = useTestNamespace(label);
  beforeAll(async () => {
    await createEffectTable(ns.database.url);
  });
  return ns;
}

/** A producer: writes outbox rows through `OutboxService.add` in its own transactions; no relay of its own. */
export class OrderedWriter {
  private constructor(
    private readonly app: INestApplicationContext,
    readonly exchange: string,
    private readonly owned: boolean,
  ) {}

  static async start(ns: TestNamespace, prefix: string): Promise<OrderedWriter> {
    const app = await createMessagingApp(
      ns.options({
        serviceName: 'ordering-writer',
        topology: { prefix },
        relay: { enabled: false },
        relayPartitions: { count: RELAY_PARTITIONS },
      }),
      { logger: false },
    );
    await app.init();
    return OrderedWriter.on(app, true);
  }

  /** Writes through an app that is already running; `owned`: closed with the writer. */
  static async on(app: INestApplicationContext, owned = false): Promise<OrderedWriter> {
    // The producer's part of the topology, as apps/producer declares it at start-up.
    const exchange = await app.get(TopologyService).declareOrderedStream(STREAM);
    return new OrderedWriter(app, exchange, owned);
  }

  /** One transaction per seq round: `keys` rows with `seq`, in key order. */
  async writeRounds(keys: number, perKey: number): Promise<void> {
    const outbox = this.app.get(OutboxService);
    for (let seq = 1; seq <= perKey; seq++) {
      await this.app.get(DataSource).transaction(async (manager) => {
        for (let k = 0; k < keys; k++) {
          const key = keyName(k);
          await outbox.add(manager, {
            exchange: this.exchange,
            routingKey: 'order.updated',
            key,
            payload: { key, seq },
            messageId: `${key}-${seq}`,
          });
        }
      });
    }
  }

  async close(): Promise<void> {
    if (this.owned) await this.app.close();
  }
}

/**
 * The acceptance set-up of the ordering guarantee (docs/ordering.md): two consumer processes of the ordered stream (`first` is started
 * first, so single-active-consumer makes it active on every partition), two relay processes and a writer.
 */
export class OrderedStreamRun {
  private readonly consumers = new Map<string, ChildApp>();
  private readonly relays: ChildApp[] = [];
  private restarts = 0;

  private constructor(
    private readonly ns: TestNamespace,
    private readonly prefix: string,
    readonly writer: OrderedWriter,
  ) {}

  static async start(ns: TestNamespace, prefix: string): Promise<OrderedStreamRun> {
    const run = new OrderedStreamRun(ns, prefix, await OrderedWriter.start(ns, prefix));
    try {
      // Consumers first: they bind the partition queues, so no relay publish comes back unroutable.
      for (const instance of ['first', 'second']) {
        run.consumers.set(instance, await startOrderedConsumer(ns, prefix, instance));
      }
      for (const owner of ['relay-a', 'relay-b']) run.relays.push(await startRelay(ns, owner));
    } catch (error) {
      await run.stop();
      throw error;
    }
    return run;
  }

  /** SIGKILLs the consumer that handled the latest message, then starts it again; returns its label. */
  async killActiveConsumer(): Promise<string> {
    const active = await latestInstance(this.ns);
    const child = this.consumers.get(active);
    if (!child) throw new Error(`no running consumer wrote the latest effect (${active})`);
    await child.kill('SIGKILL');
    this.consumers.delete(active);
    const restarted = `${active}-restarted-${++this.restarts}`;
    this.consumers.set(restarted, await startOrderedConsumer(this.ns, this.prefix, restarted));
    return active;
  }

  /** Output of every child, for a failure message. */
  output(): string {
    return [...this.consumers.entries()]
      .map(([name, child]) => `--- ${name}\n${child.output().slice(-2000)}`)
      .concat(this.relays.map((child, i) => `--- relay ${i}\n${child.output().slice(-2000)}`))
      .join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.consumers.values(), ...this.relays].map((child) => child.kill('SIGKILL')));
    await this.writer.close();
  }
}

export async function startOrderedConsumer(
  ns: TestNamespace,
  prefix: string,
  instance: string,
): Promise<ChildApp> {
  const child = startChild(CONSUMER_FIXTURE, {
    ...ns.env({ TOPOLOGY_PREFIX: prefix, SUBSCRIPTION: 'ordered' }),
    INSTANCE: instance,
  });
  await child.waitForOutput(new RegExp(`consuming as ${instance}`), 60_000);
  return child;
}

export async function startRelay(ns: TestNamespace, owner: string): Promise<ChildApp> {
  const child = startChild(
    RELAY_FIXTURE,
    ns.env({ RELAY_OWNER: owner, RELAY_PARTITIONS: String(RELAY_PARTITIONS), RELAY_BATCH_SIZE: '200' }),
  );
  await child.waitForOutput(/relay ready/, 60_000);
  return child;
}

export const effects = (ns: TestNamespace) =>
  query<Effect>(
    ns.database.url,
    'SELECT id, message_id, ordering_key, seq, instance FROM test_effect ORDER BY id',
  );

export const effectTotal = async (ns: TestNamespace) =>
  Number((await query<{ n: number }>(ns.database.url, 'SELECT COUNT(*) AS n FROM test_effect'))[0].n);

/** The instance that wrote the latest effect: the one active on (some of) the partitions. */
export const latestInstance = async (ns: TestNamespace) =>
  (await query<Effect>(ns.database.url, 'SELECT instance FROM test_effect ORDER BY id DESC LIMIT 1'))[0]
    ?.instance;

/**
 * Nothing left anywhere: every outbox row sent, every partition queue empty with nothing unacked. Only
 * then can no late duplicate effect appear after the assertions.
 */
export async function waitForQuiet(ns: TestNamespace, prefix: string, total: number): Promise<void> {
  const group = topologyNames(prefix).partitionGroup(STREAM, 'ordered');
  await waitFor(
    async () => {
      const [pending] = await query<{ n: number }>(
        ns.database.url,
        'SELECT COUNT(*) AS n FROM outbox_message WHERE sent_at IS NULL',
      );
      const queues = (await managementApi(
        'GET',
        `/api/queues/${encodeURIComponent(ns.vhost.name)}?columns=name,messages`,
      )) as Array<{ name: string; messages?: number }>;
      const partitions = queues.filter((q) => /\.p\d+$/.test(q.name) && q.name.startsWith(group));
      const queued = partitions.reduce((sum, q) => sum + (q.messages ?? 0), 0);
      const handled = await effectTotal(ns);
      return Number(pending.n) === 0 && partitions.length > 0 && queued === 0 && handled >= total;
    },
    {
      what: `all ${total} messages published and handled, queues empty`,
      timeoutMs: 180_000,
      intervalMs: 500,
    },
  );
}

/** For a failure message: the effect rows and outbox rows of the keys whose order or count is wrong. */
export async function describeBrokenKeys(
  ns: TestNamespace,
  seqsByKey: Map<string, number[]>,
  perKey: number,
): Promise<string> {
  const expected = Array.from({ length: perKey }, (_, i) => i + 1).join(',');
  const broken = [...seqsByKey.entries()].filter(([, seqs]) => seqs.join(',') !== expected).slice(0, 3);
  const parts: string[] = [];
  for (const [key] of broken) {
    const effectRows = await query(
      ns.database.url,
      'SELECT id, seq, instance, message_id FROM test_effect WHERE ordering_key = ? ORDER BY id',
      [key],
    );
    const outboxRows = await query(
      ns.database.url,
      /* sql */ `SELECT id, JSON_VALUE(payload, '$.seq') AS seq, locked_by, attempts, last_error,
         DATE_FORMAT(created_at, '%T.%f') AS created, DATE_FORMAT(sent_at, '%T.%f') AS sent
       FROM outbox_message WHERE partition_key = ? ORDER BY id`,
      [key],
    );
    parts.push(`${key}\neffects ${JSON.stringify(effectRows)}\noutbox ${JSON.stringify(outboxRows)}`);
  }
  return parts.join('\n');
}

export interface OrderReport {
  rows: number;
  distinctMessages: number;
  keys: number;
  keysInOrder: number;
  byInstance: Record<string, number>;
}

/** Every key's handled seqs in effect-row order, and how many rows/messages/instances there were. */
export function orderReport(
  rows: Effect[],
  perKey: number,
): OrderReport & { seqsByKey: Map<string, number[]> } {
  const seqsByKey = new Map<string, number[]>();
  const byInstance: Record<string, number> = {};
  for (const row of rows) {
    seqsByKey.set(row.ordering_key, [...(seqsByKey.get(row.ordering_key) ?? []), row.seq]);
    byInstance[row.instance] = (byInstance[row.instance] ?? 0) + 1;
  }
  const expected = Array.from({ length: perKey }, (_, i) => i + 1).join(',');
  const keysInOrder = [...seqsByKey.values()].filter((seqs) => seqs.join(',') === expected).length;
  return {
    rows: rows.length,
    distinctMessages: new Set(rows.map((r) => r.message_id)).size,
    keys: seqsByKey.size,
    keysInOrder,
    byInstance,
    seqsByKey,
  };
}

/**
 * The verdict of an ordered run: every key handled exactly 1..perKey in effect-row order, every message once.
 * Prints the report (and, when a key broke, its rows and the children's output) so a failure explains itself.
 */
export async function expectEveryKeyInOrder(
  ns: TestNamespace,
  run: { label: string; keys: number; perKey: number; childOutput: string },
): Promise<OrderReport> {
  const report = orderReport(await effects(ns), run.perKey);
  console.log(`${run.label}: ${JSON.stringify({ ...report, seqsByKey: undefined })}`);
  expect(report.keys).toBe(run.keys);
  if (report.keysInOrder !== run.keys) {
    console.log(`${await describeBrokenKeys(ns, report.seqsByKey, run.perKey)}\n${run.childOutput}`);
  }
  const inOrder = Array.from({ length: run.perKey }, (_, i) => i + 1);
  for (const [key, seqs] of report.seqsByKey) expect({ key, seqs }).toEqual({ key, seqs: inOrder });
  expect(report.rows).toBe(run.keys * run.perKey);
  expect(report.distinctMessages).toBe(report.rows);
  return report;
}

export interface OrderedRunShape {
  prefix: string;
  keys: number;
  perKey: number;
}

/** The acceptance run of docs/ordering.md: 200 keys of 50 messages each (10,000), under prefix `ordering`. */
export const ACCEPTANCE_RUN: OrderedRunShape = { prefix: 'ordering', keys: 200, perKey: 50 };

/**
 * One acceptance run (`OrderedStreamRun`): writes `keys` × `perKey` messages while `disturb` acts on
 * the running set-up, waits until everything is handled and nothing is left queued, then checks every
 * key's order. `disturb` returns the run's label for the report. A failure carries the children's
 * output, which is all there is to tell what a killed or restarted process did.
 */
export async function runOrderedStream(
  ns: TestNamespace,
  shape: OrderedRunShape,
  disturb: (run: OrderedStreamRun) => Promise<string>,
): Promise<OrderReport> {
  const total = shape.keys * shape.perKey;
  const run = await OrderedStreamRun.start(ns, shape.prefix);
  let label: string;
  let childOutput: string;
  try {
    const writing = run.writer.writeRounds(shape.keys, shape.perKey);
    label = await disturb(run);
    await writing;
    await waitForQuiet(ns, shape.prefix, total);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${run.output()}`, { cause: error });
  } finally {
    await run.stop();
    childOutput = run.output();
  }
  return expectEveryKeyInOrder(ns, { label, keys: shape.keys, perKey: shape.perKey, childOutput });
}

/** Waits until at least `count` effects were written; `what` names the point for a timeout. */
export async function waitForHandled(ns: TestNamespace, count: number, what: string): Promise<void> {
  await waitFor(async () => (await effectTotal(ns)) >= count, { what, timeoutMs: 120_000 });
}
