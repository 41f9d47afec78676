import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { DeadLetterService } from '@app/messaging/testing';
import { REPO_ROOT } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';
import { launchChromium } from './headless-chromium';

const TOKEN = 'admin-page-test-token-0123456789';
const TIMEOUT_MS = 90_000;
const SCREENSHOTS = join(REPO_ROOT, 'test-results');
const XSS = '<script>alert(1)</script>';

const ns = useTestNamespace('admin-page');

describe('Admin page (G8) in Debian Chromium', () => {
  let app: INestApplication;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    app = await createMessagingApp(
      ns.options({ serviceName: 'billing', admin: { token: TOKEN }, relay: { pollIntervalMs: 200 } }),
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** The login form's CSRF token and the cookie that carries its twin (double submit). */
  const loginForm = async () => {
    const page = await request(app.getHttpServer()).get('/admin/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const cookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
    return { csrf, cookie: cookie.join('; ') };
  };

  it("refuses a login post without the form's CSRF token, or with another form's, even with the right token", async () => {
    const form = await loginForm();
    expect(form.csrf).not.toBe('');
    const other = await loginForm();
    await request(app.getHttpServer())
      .post('/admin/login')
      .type('form')
      .send({ token: TOKEN, _csrf: form.csrf })
      .expect(403);
    const stale = await request(app.getHttpServer())
      .post('/admin/login')
      .set('Cookie', other.cookie)
      .type('form')
      .send({ token: TOKEN, _csrf: form.csrf })
      .expect(403);
    expect(String(stale.headers['set-cookie'] ?? '')).not.toContain('messaging_admin=');
    expect(stale.text).toContain('CSRF');
  });

  it('shows the login form with 401 to a visitor without a session, and refuses a wrong token', async () => {
    const page = await request(app.getHttpServer()).get('/admin').expect(401);
    expect(page.text).toContain('name="token"');
    const form = await loginForm();
    await request(app.getHttpServer())
      .post('/admin/login')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ token: 'wrong', _csrf: form.csrf })
      .expect(401);
    await request(app.getHttpServer()).post('/admin/dead-letters/1/replay').expect(401);
  });

  it('escapes a payload carrying markup on the detail page', async () => {
    const parked = await app.get(DeadLetterService).park({
      origin: 'consume',
      messageId: 'xss-1',
      reason: 'handler-error',
      error: `failed on ${XSS}`,
      queue: 't.page-xss',
      payload: JSON.stringify({ note: XSS }),
      attempts: 3,
    });
    const form = await loginForm();
    const login = await request(app.getHttpServer())
      .post('/admin/login')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ token: TOKEN, name: 'tester', _csrf: form.csrf })
      .expect(303);
    const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const detail = await request(app.getHttpServer())
      .get(`/admin/dead-letters/${parked.id}`)
      .set('Cookie', cookies.map((cookie) => cookie.split(';')[0]).join('; '))
      .expect(200);
    expect(detail.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(detail.text).not.toContain(XSS);
    expect(detail.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it(
    'logs in, sees a parked message, replays it and sees the status change',
    async () => {
      const parked = await app.get(DeadLetterService).park({
        origin: 'consume',
        messageId: 'browser-visible-1',
        reason: 'handler-error',
        error: 'ledger unavailable',
        queue: 't.page-replay',
        payload: JSON.stringify({ orderId: 'o-42', note: XSS }),
        headers: { 'x-correlation-id': 'corr-42' },
        attempts: 3,
      });
      const context = await browser.newContext();
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      try {
        await page.goto(`${baseUrl}/admin`);
        await page.getByLabel('Your name').fill('oncall-alice');
        await page.getByLabel('Admin token').fill(TOKEN);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
        const session = (await context.cookies()).find((cookie) => cookie.name === 'messaging_admin');
        expect(session?.httpOnly).toBe(true);

        await page.getByRole('link', { name: `#${parked.id}` }).click();
        await page.getByRole('heading', { name: `Dead letter #${parked.id}` }).waitFor();
        expect(await page.locator('pre').nth(1).innerText()).toContain(`"note": "${XSS}"`);
        expect(await page.locator('.status').first().innerText()).toBe('open');

        await page.getByRole('button', { name: 'Replay' }).click();
        await page.getByText('Replayed: a new message is in the outbox').waitFor();
        expect(await page.locator('.status').first().innerText()).toBe('replayed');
        expect(await page.locator('dd', { hasText: 'oncall-alice' }).count()).toBe(1);
        await page.screenshot({ path: join(SCREENSHOTS, 'admin-replay.png'), fullPage: true });

        await page.goto(`${baseUrl}/admin?status=replayed&queue=t.page-replay`);
        expect(await page.locator('tbody tr').count()).toBe(1);
        expect(dialogs).toEqual([]);
      } finally {
        await context.close();
      }
    },
    TIMEOUT_MS,
  );
});
