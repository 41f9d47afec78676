import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OutboxService } from '@app/messaging';
import { waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';
import { useCollectingProbe } from '../publishing/relay-test-kit';

const OPERATOR = 'scheduled-operator-token-012345';
const VIEWER = 'scheduled-viewer-token-0123456789';
const QUEUE = 'reminders';

const ns = useTestNamespace('scheduled-admin');

describe('Scheduled messages in the admin API: listed in due order, cancelled before due (ADR 0301)', () => {
  let app: INestApplication;
  const { delivered } = useCollectingProbe(ns, QUEUE);
  const api = () => request(app.getHttpServer());
  const operator = { Authorization: `Bearer ${OPERATOR}`, 'X-Admin-User': 'planner-pia' };
  const viewer = { Authorization: `Bearer ${VIEWER}` };

  beforeAll(async () => {
    app = await createMessagingApp(
      ns.options({ admin: { token: OPERATOR, viewerToken: VIEWER }, relay: { pollIntervalMs: 200 } }),
    );
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  const schedule = (delayMs: number, tag: string) =>
    app
      .get(DataSource)
      .transaction((manager) =>
        app
          .get(OutboxService)
          .add(manager, { exchange: QUEUE, routingKey: 'remind', payload: { tag } }, { delayMs }),
      );

  it('lists pending scheduled messages in due order, lets only an operator cancel, and audits it', async () => {
    const later = await schedule(4000, 'later');
    const sooner = await schedule(3000, 'sooner');

    const listed = await api().get('/admin/api/scheduled').set(viewer).expect(200);
    expect(listed.body.pending).toBe(2);
    expect(listed.body.items.map((i: { messageId: string }) => i.messageId)).toEqual([
      sooner.messageId,
      later.messageId,
    ]);
    const page = await api()
      .get('/admin/api/scheduled')
      .query({ limit: 1, afterId: sooner.id, afterDue: sooner.deliverAt!.toISOString() })
      .set(viewer)
      .expect(200);
    expect(page.body.items.map((i: { id: string }) => i.id)).toEqual([later.id]);

    await api().post(`/admin/api/scheduled/${later.id}/cancel`).set(viewer).expect(403);
    const cancelled = await api().post(`/admin/api/scheduled/${later.id}/cancel`).set(operator).expect(200);
    expect(cancelled.body).toMatchObject({ messageId: later.messageId });
    await api().post(`/admin/api/scheduled/${later.id}/cancel`).set(operator).expect(404);

    await waitFor(() => delivered.some((d) => d.messageId === sooner.messageId), {
      what: 'the message that was not cancelled',
    });
    await waitFor(async () => Date.now() > later.deliverAt!.getTime(), { what: 'the cancelled one due' });
    await waitForQuiescence(ns.vhost.name, [QUEUE], { what: 'the reminders queue after both were due' });
    expect(delivered.map((d) => d.messageId)).toEqual([sooner.messageId]);
    await api().post(`/admin/api/scheduled/${sooner.id}/cancel`).set(operator).expect(404);

    const audit = await api()
      .get('/admin/api/audit')
      .query({ action: 'cancel-scheduled' })
      .set(viewer)
      .expect(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actor: 'planner-pia',
        token: 'operator',
        ids: [later.id],
        target: later.messageId,
      }),
    ]);
  }, 60_000);

  it('keeps scheduled rows out of the claim: the claim index is read from the released rows only', async () => {
    await app.get(DataSource).transaction(async (manager) => {
      for (let i = 0; i < 300; i++) {
        await app
          .get(OutboxService)
          .add(manager, { exchange: QUEUE, routingKey: 'remind', payload: { i } }, { delayMs: 3_600_000 });
      }
    });
    const [plan] = await app.get(DataSource).query(
      `EXPLAIN SELECT o.id FROM outbox_message o
       WHERE o.sent_at IS NULL AND o.held = 0 AND o.next_attempt_at <= UTC_TIMESTAMP(3) ORDER BY o.id LIMIT 100`,
    );
    expect(plan.key).toBe('ix_outbox_claim');
    expect(Number(plan.rows)).toBeLessThan(300);
  });
});
