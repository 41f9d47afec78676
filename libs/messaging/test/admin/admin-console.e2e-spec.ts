import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, type INestApplication } from '@nestjs/common';
import { IsInt, IsString, Max, Min } from 'class-validator';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { ReliableSubscribe, ReliableSubscriptionExplorer, topologyNames } from '@app/messaging/testing';
import { RawPublisher } from '../consuming/raw-publisher';
import { REPO_ROOT, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';
import { launchChromium } from './headless-chromium';

const PREFIX = 'console';
const OPERATOR = 'console-operator-token-0123456789';
const VIEWER = 'console-viewer-token-0123456789ab';
const TIMEOUT_MS = 120_000;
/** Gitignored; kept by CI as the run's artefacts. */
const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'admin-console');

class StockOrder {
  @IsString()
  orderId!: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  quantity!: number;
}

/** What the consumer handled: the payloads a user would see take effect. */
const handled: StockOrder[] = [];

@Injectable()
class StockHandler {
  @ReliableSubscribe({
    consumer: 'stock',
    routingKey: 'order.*',
    schema: StockOrder,
    retry: { mode: 'in-process', maxAttempts: 1, then: 'count-then-park', delaysMs: [] },
  })
  async reserve(payload: StockOrder): Promise<void> {
    if (payload.quantity > 100)
      throw new Error(`quantity ${payload.quantity} exceeds the stock of ${payload.orderId}`);
    handled.push(payload);
  }
}

const ns = useTestNamespace('admin-console');

describe('Dead-letter console in Debian Chromium: viewer and operator (ADR 0302)', () => {
  let app: INestApplication;
  let browser: Browser;
  let baseUrl: string;
  let publisher: RawPublisher;

  beforeAll(async () => {
    app = await createMessagingApp(
      ns.options({
        serviceName: 'stock',
        topology: { prefix: PREFIX },
        admin: { token: OPERATOR, viewerToken: VIEWER },
        relay: { pollIntervalMs: 200 },
      }),
      { providers: [StockHandler] },
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    await app.get(ReliableSubscriptionExplorer).whenConsuming();
    publisher = await RawPublisher.open(ns.vhost.url);
    // launch() gives the browser a fresh temporary profile of its own (Playwright refuses --user-data-dir).
    browser = await launchChromium(['--disable-quic', '--disable-sync']);
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await publisher?.close();
    await app?.close();
  });

  const logIn = async (page: Page, name: string, token: string) => {
    await page.goto(`${baseUrl}/admin`);
    await page.getByLabel('Your name').fill(name);
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Failure groups' }).waitFor();
  };
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it(
    'shows a viewer the groups without any action, and answers 403 when the viewer posts one',
    async () => {
      await publisher.publish({
        exchange: topologyNames(PREFIX).eventsExchange,
        routingKey: 'order.placed',
        body: { orderId: 'o-<b>7</b>', quantity: 500 },
      });
      const [parked] = await waitFor(
        () =>
          app
            .get(DataSource)
            .query<Array<{ id: string }>>(`SELECT id FROM dead_letter WHERE status = 'open'`),
        { what: 'the oversized order parked' },
      );
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await logIn(page, 'viewer-vera', VIEWER);
        const groupRow = page.locator('table.groups tbody tr', { hasText: 'stock' });
        await expect(groupRow.locator('td').nth(1).innerText()).resolves.toBe('1');
        expect(await page.locator('button', { hasText: /Replay|Discard/ }).count()).toBe(0);
        expect(await page.content()).not.toContain('<b>7</b>');
        await shot(page, '1-viewer-groups');

        await page.goto(`${baseUrl}/admin/dead-letters/${parked.id}`);
        expect(await page.locator('textarea').count()).toBe(0);
        expect(await page.getByRole('button', { name: /Replay|Discard|Save/ }).count()).toBe(0);
        await shot(page, '2-viewer-detail');

        const refused = await context.request.post(`${baseUrl}/admin/dead-letters/${parked.id}/replay`, {
          form: { _csrf: 'any' },
          maxRedirects: 0,
        });
        expect(refused.status()).toBe(403);
        expect(await refused.text()).toContain('read-only');
        const [row] = await app
          .get(DataSource)
          .query(`SELECT status FROM dead_letter WHERE id = ?`, [parked.id]);
        expect(row.status).toBe('open');
      } finally {
        await context.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'lets an operator edit the payload (schema-checked), replay it, and the consumer handles the edited payload',
    async () => {
      const [parked] = await app
        .get(DataSource)
        .query<Array<{ id: string; payload: string }>>(
          `SELECT id, payload FROM dead_letter WHERE status = 'open'`,
        );
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await logIn(page, 'oncall-olga', OPERATOR);
        await expect(page.getByRole('button', { name: 'Replay all 1' }).count()).resolves.toBe(1);
        await shot(page, '3-operator-groups');
        await page.goto(`${baseUrl}/admin/dead-letters/${parked.id}`);

        await page.locator('textarea[name="payload"]').fill('{"orderId": "o-7", "quantity": "many"}');
        await page.getByRole('button', { name: 'Save edited payload' }).click();
        await page.locator('.notice.error').waitFor();
        expect(await page.locator('.notice.error').innerText()).toContain('StockOrder invalid');
        await shot(page, '4-operator-schema-refused');

        await page.locator('textarea[name="payload"]').fill('{"orderId": "o-7", "quantity": 5}');
        await page.getByRole('button', { name: 'Save edited payload' }).click();
        await page.getByText('Edited payload saved').waitFor();
        await shot(page, '5-operator-edited');

        await page.getByRole('button', { name: 'Replay edited' }).click();
        await page.getByText('Replayed:').waitFor();
        expect(await page.locator('.status').first().innerText()).toBe('replayed');
        await shot(page, '6-operator-replayed');

        await waitFor(() => handled.length === 1, { what: 'the consumer handling the edited payload' });
        expect(handled).toEqual([{ orderId: 'o-7', quantity: 5 }]);
        const [row] = await app
          .get(DataSource)
          .query(`SELECT payload, edited_payload, edited_by FROM dead_letter WHERE id = ?`, [parked.id]);
        expect(row).toEqual({
          payload: parked.payload,
          edited_payload: '{"orderId":"o-7","quantity":5}',
          edited_by: 'oncall-olga',
        });

        await page.goto(`${baseUrl}/admin/audit`);
        const actions = await page.locator('tbody tr td:nth-child(4)').allInnerTexts();
        expect(actions.slice(0, 3)).toEqual(['replay', 'edit', 'login']);
        expect(await page.locator('tbody tr').first().innerText()).toContain('operator');
        await shot(page, '7-operator-audit');
      } finally {
        await context.close();
      }
    },
    TIMEOUT_MS,
  );
});
