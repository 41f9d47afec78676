import { Injectable, INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  DeliveryContext,
  ReliableSubscribe,
  ReliableSubscriptionExplorer,
  setupAdminOpenApi,
  topologyNames,
} from '@app/messaging/testing';
import { RawPublisher } from '../consuming/raw-publisher';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';

const PREFIX = 'groups';
const names = topologyNames(PREFIX);
const OPERATOR = 'groups-operator-token-0123456789';
const VIEWER = 'groups-viewer-token-0123456789ab';
const PARK_AT_ONCE = {
  mode: 'in-process' as const,
  maxAttempts: 1,
  then: 'count-then-park' as const,
  delaysMs: [],
};

/** Payloads the shipping handler finally handled, with the dead letter they were replayed from. */
const shipped: Array<{ n: number; deadLetterId: unknown }> = [];

@Injectable()
class Handlers {
  // One bug in an ordered stream: its messages land on several partition queues, and form one group.
  @ReliableSubscribe({
    consumer: 'shipping',
    routingKey: 'order.*',
    ordered: { stream: 'orders', partitions: 4 },
    retry: PARK_AT_ONCE,
  })
  async ship(payload: { n: number }, context: DeliveryContext): Promise<void> {
    if (!context.headers['x-replay-of'])
      throw new Error(`no carrier for order ${payload.n} ("o-${payload.n}")`);
    shipped.push({ n: payload.n, deadLetterId: context.headers['x-dead-letter-id'] });
  }

  @ReliableSubscribe({ consumer: 'invoicing', routingKey: 'invoice.*', retry: PARK_AT_ONCE })
  async invoice(payload: { id: string }): Promise<void> {
    throw new TypeError(`amount of invoice ${payload.id} is not a number`);
  }
}

const ns = useTestNamespace('failure-groups');

describe('Failure groups, group replay, audit and roles (ADR 0302)', () => {
  let app: INestApplication;
  let publisher: RawPublisher;
  const api = () => request(app.getHttpServer());
  const operator = { Authorization: `Bearer ${OPERATOR}`, 'X-Admin-User': 'oncall-bob' };
  const viewer = { Authorization: `Bearer ${VIEWER}` };

  beforeAll(async () => {
    app = await createMessagingApp(
      ns.options({
        serviceName: 'billing',
        topology: { prefix: PREFIX },
        admin: { token: OPERATOR, viewerToken: VIEWER, authFailureLimit: 3, authBlockMs: 30_000 },
        relay: { pollIntervalMs: 200 },
      }),
      { providers: [Handlers] },
    );
    setupAdminOpenApi(app, 'test', true);
    await app.init();
    await app.get(ReliableSubscriptionExplorer).whenConsuming();
    publisher = await RawPublisher.open(ns.vhost.url);
  });

  afterAll(async () => {
    await publisher?.close();
    await app?.close();
  });

  const openDeadLetters = async () =>
    app
      .get(DataSource)
      .query<Array<{ id: string; consumer: string; queue: string; fingerprint: string }>>(
        `SELECT id, consumer, queue, fingerprint FROM dead_letter WHERE status = 'open' ORDER BY id`,
      );

  it('shows three failures of one cause and two of another as two groups with counts 3 and 2', async () => {
    for (const n of [1, 2, 3]) {
      await publisher.publish({
        exchange: names.orderedExchange('orders'),
        routingKey: 'order.shipped',
        body: { n },
        orderingKey: `order-${n * 7}`,
      });
    }
    for (const id of ['i-1', 'i-2']) {
      await publisher.publish({ exchange: names.eventsExchange, routingKey: 'invoice.due', body: { id } });
    }
    await waitFor(async () => (await openDeadLetters()).length === 5, { what: 'five parked messages' });

    const { body } = await api().get('/admin/api/dead-letters/groups').set(viewer).expect(200);
    expect(body.groups).toHaveLength(2);
    const byConsumer = Object.fromEntries(body.groups.map((g: { source: string }) => [g.source, g]));
    expect(byConsumer.shipping).toMatchObject({ open: 3, origin: 'consume', reason: 'handler-error' });
    expect(byConsumer.invoicing).toMatchObject({ open: 2, reason: 'handler-error' });
    expect(byConsumer.shipping.normalizedError).toBe('no carrier for order <n> (<v>)');
    expect(byConsumer.shipping.queues.every((q: string) => q.startsWith(`${PREFIX}.`))).toBe(true);
    expect(body.counts.open).toBe(5);
  });

  it('lets a viewer see everything and change nothing (403 with a reason)', async () => {
    const [group] = (await api().get('/admin/api/dead-letters/groups').set(viewer).expect(200)).body.groups;
    const refused = await api()
      .post(`/admin/api/dead-letters/groups/${group.fingerprint}/replay`)
      .set(viewer)
      .expect(403);
    expect(refused.body.message).toContain('read-only');
    await api().get('/admin/api/dead-letters').set(viewer).expect(200);
    await api().get('/admin/api/audit').set(viewer).expect(200);
    const [one] = await openDeadLetters();
    await api()
      .post(`/admin/api/dead-letters/${one.id}/discard`)
      .set(viewer)
      .send({ reason: 'x' })
      .expect(403);
    expect((await openDeadLetters()).length).toBe(5);
  });

  it('replays exactly the dead letters of one group through the API, and the audit names the token', async () => {
    const before = await openDeadLetters();
    const shippingIds = before.filter((d) => d.consumer === 'shipping').map((d) => d.id);
    const fingerprint = before.find((d) => d.consumer === 'shipping')!.fingerprint;

    const started = await api()
      .post(`/admin/api/dead-letters/groups/${fingerprint}/replay`)
      .set(operator)
      .expect(202);
    expect(started.body).toMatchObject({ kind: 'replay', total: 3, fingerprint });
    const done = await waitFor(
      async () => {
        const action = (await api().get(`/admin/api/dead-letters/actions/${started.body.id}`).set(viewer))
          .body;
        return action.state === 'done' ? action : null;
      },
      { what: 'the group replay to finish' },
    );
    expect(done).toMatchObject({ done: 3, refused: 0 });

    await waitFor(() => shipped.length >= 3, { what: 'the three replayed messages handled' });
    expect(shipped.map((s) => String(s.deadLetterId)).sort()).toEqual([...shippingIds].sort());
    const open = await openDeadLetters();
    expect(open.map((d) => d.consumer)).toEqual(['invoicing', 'invoicing']);

    const groups = (await api().get('/admin/api/dead-letters/groups').set(viewer).expect(200)).body.groups;
    expect(groups.map((g: { source: string; open: number }) => [g.source, g.open])).toEqual([
      ['invoicing', 2],
    ]);

    const audit = (
      await api().get('/admin/api/audit').query({ action: 'group-replay' }).set(viewer).expect(200)
    ).body;
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      action: 'group-replay',
      token: 'operator',
      actor: 'oncall-bob',
      target: fingerprint,
    });
    expect([...audit.items[0].ids].sort()).toEqual([...shippingIds].sort());
  });

  it('discards a group with its reason, recorded per dead letter and in the audit', async () => {
    const [group] = (await api().get('/admin/api/dead-letters/groups').set(viewer).expect(200)).body.groups;
    await api()
      .post(`/admin/api/dead-letters/groups/${group.fingerprint}/discard`)
      .set(operator)
      .send({})
      .expect(400);
    const started = await api()
      .post(`/admin/api/dead-letters/groups/${group.fingerprint}/discard`)
      .set(operator)
      .send({ reason: 'invoices re-issued by hand' })
      .expect(202);
    await waitFor(async () => (await openDeadLetters()).length === 0, { what: 'the group discarded' });
    const action = (await api().get(`/admin/api/dead-letters/actions/${started.body.id}`).set(viewer)).body;
    expect(action).toMatchObject({ kind: 'discard', done: 2, total: 2 });
    const [row] = await app
      .get(DataSource)
      .query(
        `SELECT status, resolution_note, resolved_by FROM dead_letter WHERE consumer = 'invoicing' LIMIT 1`,
      );
    expect(row).toEqual({
      status: 'discarded',
      resolution_note: 'invoices re-issued by hand',
      resolved_by: 'oncall-bob',
    });
    const audit = (await api().get('/admin/api/audit').query({ action: 'group-discard' }).set(operator)).body;
    expect(audit.items[0].detail).toContain('invoices re-issued by hand');
  });

  it('keeps the OpenAPI document behind a token when protected', async () => {
    await api().get('/admin/api/docs-json').expect(401);
    const doc = await api().get('/admin/api/docs-json').set(viewer).expect(200);
    expect(Object.keys(doc.body.paths)).toContain('/admin/api/dead-letters/groups');
  });

  it('rate-limits wrong tokens with 429 and Retry-After, a correct token included while blocked', async () => {
    const wrong = { Authorization: 'Bearer not-the-token-at-all-000' };
    for (let i = 0; i < 2; i++) await api().get('/admin/api/dead-letters').set(wrong).expect(401);
    const blocked = await api().get('/admin/api/dead-letters').set(wrong).expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await api().get('/admin/api/dead-letters').set(operator).expect(429);
    const login = await api().post('/admin/login').type('form').send({ token: OPERATOR }).expect(429);
    expect(login.headers['retry-after']).toBeDefined();
  });
});
