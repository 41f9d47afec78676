import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import {
  countOutbox,
  distinct,
  outboxDrained,
  seedOutbox,
  sqlQuery,
  startMessagingApp,
  useCollectingProbe,
} from './relay-test-kit';

const ROWS = 3000;
const BEHIND = 50;

const ns = useTestNamespace('claim_cursor');

/**
 * The relay's claims continue after the last id they took while they come back full (ClaimCursor,
 * ADR 0205). Rows that become claimable behind that point must still be published: here rows committed
 * with ids lower than every row of a running drain, without a wake-up.
 */
describe('Relay claim cursor', () => {
  const { delivered } = useCollectingProbe(ns, 'orders');
  let app: INestApplicationContext | undefined;

  afterAll(async () => {
    await app?.close();
  });

  it('publishes rows committed behind the cursor during a drain', async () => {
    await sqlQuery(ns, 'ALTER TABLE outbox_message AUTO_INCREMENT = 100001');
    await seedOutbox(
      ns,
      Array.from({ length: ROWS }, (_, i) => ({ exchange: 'orders', payload: { i } })),
    );
    app = await startMessagingApp(ns, { relay: { batchSize: 100, publishWindow: 200 } });
    await waitFor(async () => (await countOutbox(ns, 'sent_at IS NOT NULL')) >= 500, {
      what: '500 rows sent',
    });
    const behind = Array.from({ length: BEHIND }, (_, i) => [i + 1, randomUUID()] as const);
    await sqlQuery(
      ns,
      `INSERT INTO outbox_message (id, message_id, exchange, routing_key, payload, headers, next_attempt_at, created_at)
       VALUES ${behind.map(() => "(?, ?, 'orders', 'test.event', '{}', '{}', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))").join(', ')}`,
      behind.flat(),
    );
    await waitFor(() => outboxDrained(ns), { what: 'every row sent', timeoutMs: 60_000 });
    await waitFor(() => distinct(delivered) === ROWS + BEHIND, {
      what: `${ROWS + BEHIND} distinct messages`,
      timeoutMs: 30_000,
    });
    const ids = new Set(delivered.map((r) => r.messageId));
    expect(behind.filter(([, messageId]) => !ids.has(messageId))).toEqual([]);
    expect(distinct(delivered)).toBe(ROWS + BEHIND);
  }, 120_000);
});
