// Relay throughput against a raw amqplib confirm-window publish of the same messages.
// Run: node -r ./libs/messaging/test/support/register-ts.js bench/relay-throughput.ts [messages]
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { createTestNamespace, TestNamespace, waitFor } from '../libs/messaging/test/support';
import {
  BrokerProbe,
  seedOutbox,
  sqlQuery,
  startMessagingApp,
} from '../libs/messaging/test/publishing/relay-test-kit';

const MESSAGES = Number(process.argv[2] ?? 20_000);
const WINDOW = 1000;
const payload = { order: 'x'.repeat(220) };

async function rawConfirmWindow(ns: TestNamespace): Promise<number> {
  const connection = await connect(ns.vhost.url);
  const channel = await connection.createConfirmChannel();
  const body = Buffer.from(JSON.stringify(payload));
  const started = performance.now();
  let inFlight = 0;
  let release: (() => void) | null = null;
  const settled: Promise<void>[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    while (inFlight >= WINDOW) await new Promise<void>((resolve) => (release = resolve));
    inFlight++;
    settled.push(
      new Promise<void>((resolve, reject) =>
        channel.publish(
          'raw',
          '',
          body,
          { mandatory: true, persistent: true, messageId: randomUUID(), contentType: 'application/json' },
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
  const seconds = (performance.now() - started) / 1000;
  await connection.close();
  return MESSAGES / seconds;
}

async function relay(ns: TestNamespace): Promise<number> {
  await seedOutbox(
    ns,
    Array.from({ length: MESSAGES }, () => ({ exchange: 'relay', payload })),
  );
  const started = performance.now();
  const app = await startMessagingApp(ns, { retentionMs: 24 * 3600_000, pollIntervalMs: 1000 });
  await waitFor(
    async () =>
      Number(
        (
          await sqlQuery<{ n: number }>(ns, 'SELECT COUNT(*) AS n FROM outbox_message WHERE sent_at IS NULL')
        )[0].n,
      ) === 0,
    { what: 'the outbox drained', timeoutMs: 600_000, intervalMs: 20 },
  );
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  const [span] = await sqlQuery<{ us: number }>(
    ns,
    'SELECT TIMESTAMPDIFF(MICROSECOND, MIN(sent_at), MAX(sent_at)) AS us FROM outbox_message',
  );
  process.stdout.write(
    `relay drain between first and last mark: ${(MESSAGES / (Number(span.us) / 1e6)).toFixed(0)} msg/s\n`,
  );
  return MESSAGES / seconds;
}

async function main(): Promise<void> {
  const ns = await createTestNamespace('bench_relay');
  try {
    const broker = await BrokerProbe.open(ns);
    await broker.exchangeWithQueue('raw');
    await broker.exchangeWithQueue('relay');
    await broker.close();
    const raw = await rawConfirmWindow(ns);
    const relayed = await relay(ns);
    process.stdout.write(
      `${MESSAGES} x ~256 B persistent, durable classic queue, window ${WINDOW}\n` +
        `raw amqplib confirm window: ${raw.toFixed(0)} msg/s\n` +
        `outbox relay (claim+publish+mark, incl. start-up): ${relayed.toFixed(0)} msg/s\n` +
        `ratio: ${(relayed / raw).toFixed(2)}x\n`,
    );
  } finally {
    await ns.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
