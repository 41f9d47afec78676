import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OutboxService } from '@app/messaging';
import { DeadLetterService } from '@app/messaging/testing';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';

const OPERATOR = 'html-pages-operator-token-012345';
const ns = useTestNamespace('admin-html-pages');

/**
 * What every admin page answer carries, whichever controller sends it: the page headers on pages (also
 * a refused form's page, with its error status), Nest's JSON without them on errors, 303 after a form.
 */
describe('Admin HTML pages: headers, refusals and redirects', () => {
  let app: INestApplication;
  const api = () => request(app.getHttpServer());
  let session: { cookie: string; csrf: string };
  let shown: { id: string; fingerprint: string };

  const expectPage = (response: request.Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['cache-control']).toBe('no-store');
  };
  const expectJsonError = (response: request.Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['content-security-policy']).toBeUndefined();
  };
  const cookiesOf = (response: request.Response) =>
    ([] as string[])
      .concat(response.headers['set-cookie'] ?? [])
      .map((cookie) => cookie.split(';')[0])
      .join('; ');
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const park = (messageId: string) =>
    app.get(DeadLetterService).park({
      origin: 'consume',
      messageId,
      reason: 'handler-error',
      error: 'boom',
      queue: 't.html-pages',
      payload: '{}',
      attempts: 1,
    });
  const post = (path: string) =>
    api().post(path).set('Cookie', session.cookie).type('form').send({ _csrf: session.csrf });

  beforeAll(async () => {
    app = await createMessagingApp(ns.options({ admin: { token: OPERATOR } }));
    await app.init();
    const { id } = await park('html-pages-shown');
    const [{ fingerprint }] = await app
      .get(DataSource)
      .query<Array<{ fingerprint: string }>>('SELECT fingerprint FROM dead_letter WHERE id = ?', [id]);
    shown = { id, fingerprint };
    const form = await api().get('/admin/login');
    expectPage(form, 200);
    const login = await api()
      .post('/admin/login')
      .set('Cookie', cookiesOf(form))
      .type('form')
      .send({ token: OPERATOR, name: 'pat', _csrf: csrfOf(form.text) })
      .expect(303);
    expect(login.headers.location).toBe('/admin');
    const cookie = cookiesOf(login);
    // The session's CSRF token, from a page with a form (an empty list has none).
    const detail = await api().get(`/admin/dead-letters/${id}`).set('Cookie', cookie);
    session = { cookie, csrf: csrfOf(detail.text) };
  });

  afterAll(async () => {
    await app?.close();
  });

  it('sends every page with the page headers, and a missing row as JSON without them', async () => {
    const pages = ['/admin', `/admin/dead-letters/${shown.id}`, `/admin/groups/${shown.fingerprint}`];
    for (const path of [...pages, '/admin/scheduled', '/admin/audit?before=x']) {
      const page = await api().get(path).set('Cookie', session.cookie);
      expectPage(page, 200);
      expect(page.text).toContain('<form method="post" action="/admin/logout">');
    }
    expectJsonError(await api().get('/admin/dead-letters/999999').set('Cookie', session.cookie), 404);
    expectJsonError(await api().get('/admin/groups/0000000000000000').set('Cookie', session.cookie), 404);
  });

  it('redirects (303) after a form, and shows a refused form again with its status and the page headers', async () => {
    const parked = await park('html-pages-replayed');
    const replayed = await post(`/admin/dead-letters/${parked.id}/replay`).expect(303);
    expect(replayed.headers.location).toBe(`/admin/dead-letters/${parked.id}?done=replayed`);
    const again = await post(`/admin/dead-letters/${parked.id}/replay`);
    expectPage(again, 409);
    expect(again.text).toContain('was already replayed');
    expectJsonError(await post(`/admin/dead-letters/${parked.id}/unknown`), 404);

    const scheduled = await app
      .get(DataSource)
      .transaction((manager) =>
        app
          .get(OutboxService)
          .add(manager, { exchange: 'x', routingKey: 'r', payload: {} }, { delayMs: 600_000 }),
      );
    const cancelled = await post(`/admin/scheduled/${scheduled.id}/cancel`).expect(303);
    expect(cancelled.headers.location).toBe(`/admin/scheduled?cancelled=${scheduled.id}`);
  });

  it('shows the login form again with 403 or 401 and the page headers when the login is refused', async () => {
    const form = await api().get('/admin/login');
    expectPage(await api().post('/admin/login').type('form').send({ token: OPERATOR }), 403);
    const wrong = await api()
      .post('/admin/login')
      .set('Cookie', cookiesOf(form))
      .type('form')
      .send({ token: 'wrong', _csrf: csrfOf(form.text) });
    expectPage(wrong, 401);
    expect(wrong.text).toContain('That token is not valid.');
    const logout = await post('/admin/logout').expect(303);
    expect(logout.headers.location).toBe('/admin/login');
  });
});
