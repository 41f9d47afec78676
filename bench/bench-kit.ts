import { randomUUID } from 'node:crypto';
import { ChannelModel, ConfirmChannel, connect } from 'amqplib';
import { createConnection } from 'mysql2/promise';
import type { ChildApp, TestNamespace } from '../libs/messaging/test/support';
import { waitFor } from '../libs/messaging/test/support';
import { ratePerSecond, relayDrainRate } from '../scripts/bench/bench-clock';
import { benchMessageProperties, benchRowHeaders } from '../scripts/bench/bench-message';
import { CpuCost, CpuMeter, MeteredProcess } from './cpu-meter';

/** What every scenario gets from the runner. */
export interface BenchContext {
  quick: boolean;
  /** Repetitions of each measured figure. */
  reps: number;
  progress(message: string): void;
}

export { setTimeout as sleep } from 'node:timers/promises';

/**
 * A broker connection of the bench's own (raw baselines, pre-fill, declarations) with the socket
 * settings the library's connection has (`noDelay`, messaging.module.ts): with amqplib's default
 * (Nagle on) a raw baseline would wait up to 40 ms per small frame that the subject does not.
 */
export function connectBroker(url: string): Promise<ChannelModel> {
  return connect(url, { noDelay: true });
}

/** Publish scenarios' queues keep their newest messages only (see `BenchBroker.exchangeWithQueue`). */
export const PUBLISH_QUEUE_MAX_LENGTH = 5000;

/** ~256 B serialized, like the relay tests and docs/broker-behaviour.md. */
export const BENCH_PAYLOAD = { order: 'x'.repeat(220) };

/** Runs `fn` `reps` times and returns the samples; `label` goes to the progress output. */
export async function repeat(
  ctx: BenchContext,
  label: string,
  fn: (rep: number) => Promise<number>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let rep = 1; rep <= ctx.reps; rep++) {
    const value = await fn(rep);
    samples.push(value);
    ctx.progress(`${label} rep ${rep}/${ctx.reps}: ${value.toFixed(value >= 100 ? 0 : 1)}`);
  }
  return samples;
}

/**
 * The publish baseline: raw amqplib, one confirm channel, `window` publishes awaiting confirms at once,
 * persistent + mandatory, with the properties the relay publishes for a bench row. Returns msg/s
 * and, with `processes`, the CPU per message of each (this process is the raw publisher).
 */
export async function rawConfirmWindow(
  url: string,
  exchange: string,
  messages: number,
  window = 1000,
  processes: MeteredProcess[] = [],
): Promise<{ rate: number; cpu: CpuCost; startedMs: number; finishedMs: number }> {
  const meter = await new CpuMeter([
    { role: 'publisher', pid: process.pid },
    ...processes,
  ]).sampleBackground();
  const connection = await connectBroker(url);
  // A broker restart then fails this measurement instead of killing the process.
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    const body = Buffer.from(JSON.stringify(BENCH_PAYLOAD));
    let inFlight = 0;
    let release: (() => void) | null = null;
    const settled: Promise<void>[] = [];
    // The clock (and the CPU meter) starts at the first publish, the channel already open, as the
    // relay's starts at its first claim, its connection already open.
    meter.begin();
    const started = performance.now();
    for (let i = 0; i < messages; i++) {
      while (inFlight >= window) await new Promise<void>((resolve) => (release = resolve));
      inFlight++;
      settled.push(
        new Promise<void>((resolve, reject) =>
          channel.publish(
            exchange,
            'test.event',
            body,
            { ...benchMessageProperties(randomUUID()), mandatory: true },
            (error: Error | null) => {
              inFlight--;
              release?.();
              release = null;
              if (error) reject(error);
              else resolve();
            },
          ),
        ),
      );
    }
    await Promise.all(settled);
    // ...and stops when the last confirm arrived, as the relay's stops at its last mark-sent.
    const finished = performance.now();
    return {
      rate: ratePerSecond(messages, started, finished),
      cpu: meter.stop(messages),
      startedMs: performance.timeOrigin + started,
      finishedMs: performance.timeOrigin + finished,
    };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Commits `count` unkeyed outbox rows in ONE transaction, so every relay sees the whole backlog at the
 * same moment (a fair start for one and two relays).
 */
export async function seedBacklog(ns: TestNamespace, exchange: string, count: number): Promise<void> {
  const db = await createConnection({ uri: ns.database.url, timezone: 'Z' });
  const payload = JSON.stringify(BENCH_PAYLOAD);
  const now = new Date();
  try {
    await db.query('TRUNCATE TABLE outbox_message');
    await db.beginTransaction();
    for (let start = 0; start < count; start += 2000) {
      const rows = Array.from({ length: Math.min(2000, count - start) }, () => {
        const messageId = randomUUID();
        // Every row the outbox writes carries its correlation id in the headers (OutboxService.add).
        return [messageId, exchange, 'test.event', null, null, payload, benchRowHeaders(messageId), now, now];
      });
      await db.query(
        'INSERT INTO outbox_message (message_id, exchange, routing_key, partition_key, `partition`, payload, headers, next_attempt_at, created_at) VALUES ?',
        [rows],
      );
    }
    await db.commit();
  } finally {
    await db.end();
  }
}

/**
 * Start offsets in the relays' output: the `claim <startEpochMs> <rows>` lines printed after it belong
 * to the next drain (bench/fixtures/bench-relay.process.ts). Take it before seeding the backlog.
 */
export class ClaimLog {
  private readonly offsets: number[];

  constructor(private readonly relays: ChildApp[]) {
    this.offsets = relays.map((relay) => relay.output().length);
  }

  claimStartsMs(): number[] {
    return this.relays.flatMap((relay, i) =>
      [
        ...relay
          .output()
          .slice(this.offsets[i])
          .matchAll(/^claim (\d+(?:\.\d+)?) \d+$/gm),
      ].map((m) => Number(m[1])),
    );
  }
}

/**
 * Waits until no row is unsent; returns the drain rate (msg/s, see `relayDrainRate`): the clock starts
 * at the start of the first claim that returned rows, of any relay, and stops at the last mark-sent;
 * all `count` rows are counted.
 */
export async function drainRate(
  ns: TestNamespace,
  count: number,
  claims: ClaimLog,
  timeoutMs = 900_000,
): Promise<number> {
  const db = await createConnection({ uri: ns.database.url, timezone: 'Z' });
  try {
    await waitFor(
      async () => {
        // An index probe, not a COUNT(*): the poll must not add MariaDB work to the measured interval.
        const [rows] = await db.query('SELECT 1 FROM outbox_message WHERE sent_at IS NULL LIMIT 1');
        return (rows as unknown[]).length === 0;
      },
      { what: `${count} outbox rows sent`, timeoutMs, intervalMs: 50 },
    );
    // sent_at is UTC_TIMESTAMP(3): the difference from the epoch is taken in SQL, free of session zones.
    const [rows] = await db.query(
      "SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', sent_at) / 1000 AS ms FROM outbox_message",
    );
    const sentAtMs = (rows as Array<{ ms: string }>).map((r) => Number(r.ms));
    if (sentAtMs.length !== count) throw new Error(`expected ${count} sent rows, found ${sentAtMs.length}`);
    return relayDrainRate({ claimStartsMs: claims.claimStartsMs(), sentAtMs });
  } finally {
    await db.end();
  }
}

/**
 * Holds handlers until opened, then times how long `expected` handler calls take: a queue is filled
 * while its consumer waits at the gate, so the figure is the consumer's drain rate, not the publisher's.
 */
export class DrainClock {
  private gate!: Promise<void>;
  private openGate!: () => void;
  private openedAt = 0;
  private count = 0;
  private expected = 0;
  private cpuAtOpen = process.cpuUsage();
  private done?: (rate: number) => void;
  /** CPU time (user + system) of this process per message during the last drain, in µs. */
  cpuUsPerMessage = 0;

  constructor() {
    this.close();
  }

  close(): void {
    this.gate = new Promise<void>((resolve) => (this.openGate = resolve));
    this.count = 0;
    this.done = undefined;
  }

  /** Opens the gate; resolves with msg/s once `expected` handler calls passed it. */
  open(expected: number): Promise<number> {
    this.expected = expected;
    const rate = new Promise<number>((resolve) => (this.done = resolve));
    this.openedAt = performance.now();
    this.cpuAtOpen = process.cpuUsage();
    this.openGate();
    return rate;
  }

  async pass(): Promise<void> {
    await this.gate;
    if (++this.count === this.expected) {
      const cpu = process.cpuUsage(this.cpuAtOpen);
      this.cpuUsPerMessage = (cpu.user + cpu.system) / this.expected;
      this.done?.(this.expected / ((performance.now() - this.openedAt) / 1000));
    }
  }
}

/**
 * The bench's own broker connection: declares fanout exchange + queue pairs, purges them and publishes
 * pre-fill batches. Its `error` listener turns a broker restart (other suites on a shared machine
 * restart it) into a failed scenario instead of a dead process.
 */
export class BenchBroker {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async open(url: string): Promise<BenchBroker> {
    const connection = await connectBroker(url);
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return new BenchBroker(connection, channel);
  }

  /**
   * A fanout exchange bound to a durable classic queue of the same name, bounded to its newest
   * `maxLength` messages: a queue that grows to 200,000 messages slows the broker down, which would
   * blur what a publish figure is about (the publisher, not the queue's size).
   */
  async exchangeWithQueue(name: string, maxLength = PUBLISH_QUEUE_MAX_LENGTH): Promise<void> {
    await this.channel.assertExchange(name, 'fanout', { durable: true });
    await this.channel.assertQueue(name, {
      durable: true,
      arguments: { 'x-max-length': maxLength, 'x-overflow': 'drop-head' },
    });
    await this.channel.bindQueue(name, name, '');
  }

  async purge(queue: string): Promise<void> {
    await this.channel.purgeQueue(queue);
  }

  /** Persistent JSON messages with fresh ids (and `x-ordering-key` when keyed), all confirmed. */
  async publishAll(
    messages: Array<{ exchange: string; routingKey: string; body: unknown; orderingKey?: string }>,
  ): Promise<void> {
    for (const message of messages) {
      this.channel.publish(message.exchange, message.routingKey, Buffer.from(JSON.stringify(message.body)), {
        messageId: randomUUID(),
        contentType: 'application/json',
        persistent: true,
        headers: message.orderingKey ? { 'x-ordering-key': message.orderingKey } : {},
      });
    }
    await this.channel.waitForConfirms();
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
