import type { INestApplication } from '@nestjs/common';
import { connect, type ChannelModel, type Channel } from 'amqplib';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DeadLetterService, ParkRequest, setupAdminOpenApi } from '@app/messaging/testing';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';

const TOKEN = 'admin-api-test-token-0123456789';
const TIMEOUT_MS = 60_000;

const ns = useTestNamespace('admin-api');

describe('Admin JSON API (G8) against MySQL, the outbox relay and RabbitMQ', () => {
  let app: INestApplication;
  let connection: ChannelModel;
  let channel: Channel;
  const api = () => request(app.getHttpServer());
  const auth = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    app = await createMessagingApp(
      ns.options({ serviceName: 'billing', admin: { token: TOKEN }, relay: { pollIntervalMs: 200 } }),
    );
    setupAdminOpenApi(app);
    await app.init();
    connection = await connect(ns.vhost.url);
    channel = await connection.createChannel();
  }, TIMEOUT_MS);

  afterAll(async () => {
    await connection?.close();
    await app?.close();
  });

  const park = (overrides: Partial<ParkRequest>) =>
    app.get(DeadLetterService).park({
      origin: 'consume',
      messageId: `m-${Math.random().toString(36).slice(2)}`,
      reason: 'handler-error',
      error: 'boom',
      queue: 'billing.orders',
      consumer: 'orders',
      payload: JSON.stringify({ orderId: 'o-1' }),
      headers: { 'x-correlation-id': 'corr-1', 'x-death': 'dropped' },
      attempts: 3,
      ...overrides,
    });

  it('answers 401 without a token, with a wrong token and with a token in the wrong scheme', async () => {
    await api().get('/admin/api/dead-letters').expect(401);
    await api().get('/admin/api/dead-letters').set('Authorization', 'Bearer wrong-token').expect(401);
    await api().get('/admin/api/dead-letters').set('Authorization', `Basic ${TOKEN}`).expect(401);
    await api().post('/admin/api/dead-letters/1/replay').expect(401);
    await api().get('/admin/api/dead-letters').set(auth).expect(200);
  });

  it('lists dead letters by filter with counts per status, and shows one', async () => {
    const parked = await park({ queue: 't.listed', reason: 'malformed-json' });
    const listed = await api()
      .get('/admin/api/dead-letters')
      .query({ status: 'open', origin: 'consume', queue: 't.listed' })
      .set(auth)
      .expect(200);
    expect(listed.body).toMatchObject({
      page: 1,
      total: 1,
      items: [{ id: parked.id, reason: 'malformed-json' }],
    });
    expect(listed.body.counts.open).toBeGreaterThanOrEqual(1);
    const shown = await api().get(`/admin/api/dead-letters/${parked.id}`).set(auth).expect(200);
    expect(shown.body).toMatchObject({ id: parked.id, messageId: parked.messageId, status: 'open' });
    await api().get('/admin/api/dead-letters/999999').set(auth).expect(404);
    await api().get('/admin/api/dead-letters').query({ status: 'lost' }).set(auth).expect(400);
  });

  it(
    'replays a consume-side dead letter through the outbox to the queue that failed, once',
    async () => {
      await channel.assertQueue('t.replay-target', { durable: true });
      const parked = await park({ queue: 't.replay-target' });

      const replayed = await api().post(`/admin/api/dead-letters/${parked.id}/replay`).set(auth).expect(200);
      expect(replayed.body).toMatchObject({ status: 'replayed', resolvedBy: 'admin-api' });
      expect(replayed.body.replayMessageId).not.toBe(parked.messageId);
      const again = await api().post(`/admin/api/dead-letters/${parked.id}/replay`).set(auth).expect(409);
      expect(again.body.reason).toBe('already-replayed');

      const [outboxRow] = await app
        .get(DataSource)
        .query('SELECT exchange, routing_key FROM outbox_message WHERE message_id = ?', [
          replayed.body.replayMessageId,
        ]);
      expect(outboxRow).toEqual({ exchange: '', routing_key: 't.replay-target' });

      const message = await waitFor(() => channel.get('t.replay-target', { noAck: true }), {
        what: 'the replayed message on its queue',
        timeoutMs: 20_000,
      });
      expect(JSON.parse(message.content.toString())).toEqual({ orderId: 'o-1' });
      expect(message.properties.messageId).toBe(replayed.body.replayMessageId);
      expect(message.properties.headers).toMatchObject({
        'x-replay-of': parked.messageId,
        'x-dead-letter-id': parked.id,
        'x-correlation-id': 'corr-1',
      });
      expect(message.properties.headers).not.toHaveProperty('x-death');
    },
    TIMEOUT_MS,
  );

  it(
    'replays a publish-side dead letter to its exchange and routing key',
    async () => {
      await channel.assertExchange('t.events', 'topic', { durable: true });
      await channel.assertQueue('t.events-listener', { durable: true });
      await channel.bindQueue('t.events-listener', 't.events', 'order.*');
      const parked = await park({
        origin: 'publish',
        queue: null,
        exchange: 't.events',
        routingKey: 'order.created',
        reason: 'unroutable',
      });
      await api().post(`/admin/api/dead-letters/${parked.id}/replay`).set(auth).expect(200);
      const message = await waitFor(() => channel.get('t.events-listener', { noAck: true }), {
        what: 'the replayed event',
        timeoutMs: 20_000,
      });
      expect(message.fields.routingKey).toBe('order.created');
      expect(message.properties.headers).toMatchObject({ 'x-replay-of': parked.messageId });
    },
    TIMEOUT_MS,
  );

  it('refuses to replay a payload that is not JSON (422) and leaves it open', async () => {
    const parked = await park({ payload: '{not json', reason: 'malformed-json' });
    const refused = await api().post(`/admin/api/dead-letters/${parked.id}/replay`).set(auth).expect(422);
    expect(refused.body.reason).toBe('payload-not-json');
    const shown = await api().get(`/admin/api/dead-letters/${parked.id}`).set(auth).expect(200);
    expect(shown.body.status).toBe('open');
  });

  it('discards with the reason recorded and who did it; a reason is required', async () => {
    const parked = await park({ queue: 't.discard' });
    await api().post(`/admin/api/dead-letters/${parked.id}/discard`).set(auth).send({}).expect(400);
    const discarded = await api()
      .post(`/admin/api/dead-letters/${parked.id}/discard`)
      .set({ ...auth, 'X-Admin-User': 'alice' })
      .send({ reason: 'order was cancelled by hand' })
      .expect(200);
    expect(discarded.body).toMatchObject({
      status: 'discarded',
      resolutionNote: 'order was cancelled by hand',
      resolvedBy: 'alice',
    });
    await api().post(`/admin/api/dead-letters/${parked.id}/replay`).set(auth).expect(409);
  });

  it(
    'discards and replays in bulk by filter, touching open dead letters only',
    async () => {
      await channel.assertQueue('t.bulk-replay', { durable: true });
      for (let i = 0; i < 3; i++) await park({ queue: 't.bulk-discard' });
      for (let i = 0; i < 2; i++) await park({ queue: 't.bulk-replay' });

      const discarded = await api()
        .post('/admin/api/dead-letters/discard')
        .set(auth)
        .send({ filter: { queue: 't.bulk-discard' }, reason: 'known bad batch' })
        .expect(200);
      expect(discarded.body).toEqual({ discarded: 3 });
      const replayed = await api()
        .post('/admin/api/dead-letters/replay')
        .set(auth)
        .send({ filter: { queue: 't.bulk-replay' } })
        .expect(200);
      expect(replayed.body.replayed).toHaveLength(2);
      expect(replayed.body.refused).toEqual([]);
      const [row] = await app
        .get(DataSource)
        .query("SELECT COUNT(*) AS n FROM dead_letter WHERE queue LIKE 't.bulk-%' AND status = 'open'");
      expect(Number(row.n)).toBe(0);
    },
    TIMEOUT_MS,
  );

  it('serves the OpenAPI document of the admin API', async () => {
    const doc = await api().get('/admin/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/admin/api/dead-letters',
        '/admin/api/dead-letters/{id}',
        '/admin/api/dead-letters/{id}/replay',
        '/admin/api/dead-letters/{id}/discard',
      ]),
    );
    expect(Object.keys(doc.body.paths).every((path) => path.startsWith('/admin/api'))).toBe(true);
  });
});
