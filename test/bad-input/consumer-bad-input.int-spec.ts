import { randomUUID } from 'node:crypto';
import { waitFor, waitForQuiescence } from '../../libs/messaging/test/support';
import { DemoApps, startDemoApps } from '../demo-apps';
import { billingPartition, consumedQueues, orderEvent, RawPublisher } from './raw-broker';

interface DeadLetterRow {
  messageId: string;
  reason: string;
  error: string;
}

const json = { contentType: 'application/json' };

describe('bad input on the order events stream: each is parked with a reason, the consumer keeps flowing', () => {
  let apps: DemoApps;
  let raw: RawPublisher;

  beforeAll(async () => {
    apps = await startDemoApps('bad_input');
    // Live is not subscribed: a message published before the partition bindings exist is dropped.
    await waitFor(async () => (await consumedQueues(apps.vhost.name)).length === 4, {
      what: 'billing consuming its 4 partition queues',
    });
    raw = await RawPublisher.open(apps.vhost.url);
  });

  afterAll(async () => {
    await raw?.close();
    await apps?.stop();
  });

  const deadLetter = (messageId: string) =>
    waitFor(
      async () =>
        (
          await apps.query<DeadLetterRow>(
            apps.billingDb,
            'SELECT message_id AS messageId, reason, error FROM dead_letter WHERE message_id = ?',
            [messageId],
          )
        )[0],
      { what: `dead letter ${messageId}`, timeoutMs: 20_000 },
    );

  const ledgerRows = async (orderId: string) =>
    apps.query<{ messageId: string; seq: number }>(
      apps.billingDb,
      'SELECT message_id AS messageId, seq FROM billing_ledger WHERE order_id = ? ORDER BY id',
      [orderId],
    );

  /** A real order through the API afterwards: billed within seconds, so nothing is blocked. */
  const expectStillFlowing = async () => {
    const response = await fetch(`${apps.producerUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'after-bad-input', amountCents: 1 }),
    });
    const { id } = (await response.json()) as { id: string };
    await waitFor(async () => (await ledgerRows(id)).length === 1, {
      what: `order ${id} billed after the bad input`,
      timeoutMs: 20_000,
    });
  };

  it('parks malformed JSON as malformed-json', async () => {
    const messageId = randomUUID();
    await raw.toStream('order.created', '{"type": "order.created", "orderId": ', { ...json, messageId });
    expect(await deadLetter(messageId)).toMatchObject({ reason: 'malformed-json' });
    await expectStillFlowing();
  });

  it('parks a declared non-JSON content type as unsupported-content-type, without parsing it', async () => {
    const messageId = randomUUID();
    await raw.toStream('order.created', JSON.stringify(orderEvent()), {
      contentType: 'application/xml',
      messageId,
    });
    expect(await deadLetter(messageId)).toMatchObject({
      reason: 'unsupported-content-type',
      error: expect.stringContaining('application/xml'),
    });
    await expectStillFlowing();
  });

  it('accepts JSON with parameters or without a content type at all', async () => {
    const withCharset = orderEvent();
    const withoutType = orderEvent();
    await raw.toStream('order.created', JSON.stringify(withCharset), {
      contentType: 'application/json; charset=utf-8',
      messageId: randomUUID(),
    });
    await raw.toStream('order.created', JSON.stringify(withoutType), { messageId: randomUUID() });
    for (const event of [withCharset, withoutType]) {
      await waitFor(async () => (await ledgerRows(event.orderId as string)).length === 1, {
        what: `ledger row of ${event.orderId as string}`,
      });
    }
  });

  it('parks a message without messageId as missing-message-id (it could not be deduplicated)', async () => {
    const event = orderEvent();
    const correlationId = randomUUID();
    await raw.toStream('order.created', JSON.stringify(event), { ...json, correlationId });
    // The probe returns the row itself: an empty result array would count as found.
    const row = await waitFor(
      async () =>
        (
          await apps.query<DeadLetterRow>(
            apps.billingDb,
            "SELECT message_id AS messageId, reason FROM dead_letter WHERE reason = 'missing-message-id'",
          )
        )[0],
      { what: 'a missing-message-id dead letter' },
    );
    expect(row.messageId).toMatch(/^missing:/);
    expect(await ledgerRows(event.orderId as string)).toEqual([]);
    await expectStillFlowing();
  });

  it('parks a huge payload (1 MiB, over the 256 KiB limit) as payload-too-large without parsing it', async () => {
    const messageId = randomUUID();
    const huge = JSON.stringify(orderEvent({ pad: 'x'.repeat(1024 * 1024) }));
    await raw.toStream('order.created', huge, { ...json, messageId });
    expect(await deadLetter(messageId)).toMatchObject({ reason: 'payload-too-large' });
    await expectStillFlowing();
  });

  it('parks an unknown event type as schema-invalid', async () => {
    const messageId = randomUUID();
    await raw.toStream('order.refunded', JSON.stringify(orderEvent({ type: 'order.refunded' })), {
      ...json,
      messageId,
    });
    expect(await deadLetter(messageId)).toMatchObject({
      reason: 'schema-invalid',
      error: expect.stringContaining('type'),
    });
    await expectStillFlowing();
  });

  it('parks a handler schema violation (negative amount, not a UUID) as schema-invalid', async () => {
    const messageId = randomUUID();
    await raw.toStream('order.created', JSON.stringify(orderEvent({ amountCents: -5, orderId: 'nope' })), {
      ...json,
      messageId,
    });
    const parked = await deadLetter(messageId);
    expect(parked.reason).toBe('schema-invalid');
    expect(parked.error).toMatch(/amountCents/);
    expect(parked.error).toMatch(/orderId/);
    await expectStillFlowing();
  });

  it('handles a valid message sent straight to a partition queue exactly once, even sent twice', async () => {
    const event = orderEvent();
    const messageId = randomUUID();
    for (let i = 0; i < 2; i++) {
      await raw.toQueue(billingPartition(2), JSON.stringify(event), { ...json, messageId });
    }
    await waitFor(async () => (await ledgerRows(event.orderId as string)).length === 1, {
      what: 'the bypassing message billed',
    });
    // The second copy is absorbed by dedupe (Redis mark and inbox row), not billed again: count once the
    // partition queue has nothing ready or unacked.
    await waitForQuiescence(apps.vhost.name, [billingPartition(2)], {
      what: 'partition 2 quiet after both copies',
    });
    expect(await ledgerRows(event.orderId as string)).toEqual([{ messageId, seq: 1 }]);
    await expectStillFlowing();
  });
});
