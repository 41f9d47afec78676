import { AlertBus, AlertEvent, PayloadTooLargeError } from '@app/messaging/testing';
import { waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { distinct, outboxDrained, sqlQuery, useCollectingProbe, useRelayTestApp } from './relay-test-kit';

interface OutboxRow {
  message_id: string;
  attempts: number;
  sent_at: Date | null;
  last_error: string | null;
}
interface DeadLetterRow {
  message_id: string;
  origin: string;
  reason: string;
  attempts: number;
  exchange: string;
  payload: string;
  headers: string | null;
  first_failed_at: Date;
}

const ns = useTestNamespace('relay');

describe('Outbox relay: transactional outbox, confirmed and routed publishing (G1-G3)', () => {
  const { delivered, channel } = useCollectingProbe(ns, 'orders');
  const { app, outbox, db } = useRelayTestApp(ns, {
    relay: { maxAttempts: 3 },
    outbox: { maxPayloadBytes: 1024 },
  });
  const alerts: AlertEvent[] = [];
  beforeAll(() => {
    app.get(AlertBus).subscribe((event) => alerts.push(event));
  });

  const rowOf = async (messageId: string) =>
    (await sqlQuery<OutboxRow>(ns, 'SELECT * FROM outbox_message WHERE message_id = ?', [messageId]))[0];
  const deadLetterOf = async (messageId: string) =>
    (await sqlQuery<DeadLetterRow>(ns, 'SELECT * FROM dead_letter WHERE message_id = ?', [messageId]))[0];

  it('never publishes a message whose transaction rolled back', async () => {
    const rolledBack = 'rolled-back-1';
    await expect(
      db.transaction(async (manager) => {
        await outbox.add(manager, {
          exchange: 'orders',
          routingKey: 'order.placed',
          payload: { n: 1 },
          messageId: rolledBack,
        });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const marker = await db.transaction((manager) =>
      outbox.add(manager, { exchange: 'orders', routingKey: 'order.placed', payload: { marker: true } }),
    );
    await waitFor(() => delivered.some((r) => r.messageId === marker.messageId), {
      what: 'the marker message',
    });
    expect(delivered.filter((r) => r.messageId === rolledBack)).toHaveLength(0);
    expect(await rowOf(rolledBack)).toBeUndefined();
  });

  it('publishes a committed message exactly once, persistent JSON with ids and headers, and marks it sent', async () => {
    const added = await db.transaction((manager) =>
      outbox.add(manager, {
        exchange: 'orders',
        routingKey: 'order.placed',
        payload: { orderId: 7, total: '12.50' },
        headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tenant: 3 },
        correlationId: 'corr-7',
      }),
    );
    await waitFor(async () => (await rowOf(added.messageId))?.sent_at, { what: 'the row marked sent' });
    // A second publish would come from a relay still holding the row: count once all is quiet.
    await waitForQuiescence(ns.vhost.name, ['orders'], {
      what: 'the orders queue and the outbox quiet',
      idle: () => outboxDrained(ns),
    });
    const copies = delivered.filter((r) => r.messageId === added.messageId);
    expect(copies).toHaveLength(1);
    const { message, body } = copies[0];
    expect(body).toEqual({ orderId: 7, total: '12.50' });
    expect(message.properties).toMatchObject({
      messageId: added.messageId,
      correlationId: 'corr-7',
      contentType: 'application/json',
      deliveryMode: 2,
    });
    expect(typeof message.properties.timestamp).toBe('number');
    expect(message.properties.headers).toMatchObject({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tenant: 3,
    });
    expect(message.fields.routingKey).toBe('order.placed');
  });

  it('refuses a payload over the limit at add, with a clear error, and writes nothing', async () => {
    const attempt = db.transaction((manager) =>
      outbox.add(manager, {
        exchange: 'orders',
        routingKey: 'big',
        payload: 'x'.repeat(2000),
        messageId: 'too-big',
      }),
    );
    await expect(attempt).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(attempt).rejects.toThrow(/too-big is 2002 bytes; the limit is 1024/);
    expect(await rowOf('too-big')).toBeUndefined();
  });

  it('backs off an unroutable message (ack after return) and dead-letters it after maxAttempts', async () => {
    await channel().assertExchange('unbound', 'fanout', { durable: true });
    const added = await db.transaction((manager) =>
      outbox.add(manager, { exchange: 'unbound', routingKey: 'order.placed', payload: { lost: false } }),
    );
    const parked = await waitFor(() => deadLetterOf(added.messageId), {
      what: 'the dead letter',
      timeoutMs: 30_000,
    });
    expect(parked).toMatchObject({
      origin: 'publish',
      reason: 'unroutable',
      attempts: 3,
      exchange: 'unbound',
    });
    // The relay keeps no payload in flight: the dead letter's content is the outbox row's, read back.
    expect(JSON.parse(parked.payload)).toEqual({ lost: false });
    expect(JSON.parse(parked.headers!)).toMatchObject({ 'x-correlation-id': added.messageId });
    expect(parked.first_failed_at.getTime()).toBe(added.createdAt.getTime());
    expect(await rowOf(added.messageId)).toBeUndefined();
    expect(alerts).toContainEqual(
      expect.objectContaining({ kind: 'message-parked', reason: 'unroutable', messageId: added.messageId }),
    );
  });

  it('backs off a message for a missing exchange, dead-letters it, and keeps publishing other rows', async () => {
    const missing = await db.transaction((manager) =>
      outbox.add(manager, { exchange: 'no-such-exchange', routingKey: 'x', payload: { n: 1 } }),
    );
    await waitFor(async () => (await rowOf(missing.messageId))?.attempts === 1, {
      what: 'a first failed attempt',
    });
    const row = await rowOf(missing.messageId);
    expect(row.sent_at).toBeNull();
    expect(row.last_error).toMatch(/^exchange-not-found/);
    const others = await db.transaction(async (manager) => {
      const added = [];
      for (let i = 0; i < 20; i++) {
        added.push(
          await outbox.add(manager, { exchange: 'orders', routingKey: 'order.placed', payload: { i } }),
        );
      }
      return added;
    });
    await waitFor(() => others.every((o) => delivered.some((r) => r.messageId === o.messageId)), {
      what: 'the other rows published despite the 404s',
    });
    const parked = await waitFor(() => deadLetterOf(missing.messageId), {
      what: 'the dead letter',
      timeoutMs: 30_000,
    });
    expect(parked).toMatchObject({ origin: 'publish', reason: 'exchange-not-found', attempts: 3 });
    const after = await db.transaction((manager) =>
      outbox.add(manager, { exchange: 'orders', routingKey: 'order.placed', payload: { after: true } }),
    );
    await waitFor(() => delivered.some((r) => r.messageId === after.messageId), {
      what: 'a row published after the 404s',
    });
    expect(distinct(delivered)).toBe(delivered.length);
  });
});
