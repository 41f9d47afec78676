import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeadLetterService, ParkRequest } from '@app/messaging/testing';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createMessagingApp } from '../support/messaging-app';
import { SmtpSink } from './smtp-sink';

const DIGEST_WINDOW_MS = 4_000;
const TEST_TIMEOUT_MS = 60_000;
const STORM_WINDOW_MS = 120_000;

const ns = useTestNamespace('alerter');

describe('EmailAlerter (G7) against a real SMTP sink and MySQL', () => {
  const sink = new SmtpSink();

  beforeAll(async () => {
    await sink.start();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await sink.stop();
  });

  beforeEach(() => sink.received.splice(0));

  /** Runs `test` against an app of its own with that digest window; closes the app after, also on a failure. */
  async function withApp(
    digestWindowMs: number,
    test: (app: INestApplication) => Promise<void>,
  ): Promise<void> {
    const app = await createMessagingApp(
      ns.options({
        serviceName: 'billing',
        relay: { enabled: false },
        alerting: {
          smtpUrl: sink.url,
          to: 'oncall@example.com',
          digestWindowMs,
          adminBaseUrl: 'http://billing.test/admin',
          sendRetryMaxMs: 1_000,
        },
      }),
    );
    await app.init();
    try {
      await test(app);
    } finally {
      // Shutdown ends the open window: its digest goes out before the app is gone.
      await app.close();
    }
  }

  function failure(queue: string, i: number, overrides: Partial<ParkRequest> = {}): ParkRequest {
    return {
      origin: 'consume',
      messageId: `${queue}-m${i}`,
      reason: 'handler-error',
      error: 'ledger write failed',
      queue,
      consumer: 'billing',
      payload: JSON.stringify({ orderId: i }),
      attempts: 3,
      ...overrides,
    };
  }

  async function parkAll(app: INestApplication, requests: ParkRequest[]): Promise<void> {
    const deadLetters = app.get(DeadLetterService);
    for (let i = 0; i < requests.length; i += 50) {
      await Promise.all(requests.slice(i, i + 50).map((request) => deadLetters.park(request)));
    }
  }

  async function countRows(app: INestApplication, queue: string): Promise<number> {
    const [row] = await app
      .get(DataSource)
      .query('SELECT COUNT(*) AS n FROM dead_letter WHERE queue = ?', [queue]);
    return Number(row.n);
  }

  it(
    'emails the first of 1,000 failures of one class at once and the other 999 as one digest',
    async () => {
      // A window far longer than parking takes, however loaded the machine: all 1,000 fall into it.
      await withApp(STORM_WINDOW_MS, async (app) => {
        const requests = Array.from({ length: 1000 }, (_, i) => failure('t.storm', i));
        await parkAll(app, requests);
        expect(await countRows(app, 't.storm')).toBe(1000);
        const immediate = await waitFor(() => sink.withSubject(/Message parked/)[0], {
          what: 'the immediate email',
        });
        expect(immediate.subject).toBe('[billing] Message parked: handler-error on t.storm');
        // The 50 parks of a slice run concurrently: whichever commits first is the immediate one.
        expect(immediate.text).toMatch(/^Message id: {2}t\.storm-m\d+$/m);
        expect(immediate.text).toContain('ledger write failed');
        expect(immediate.to).toBe('oncall@example.com');
      });
      expect(sink.received.map((email) => email.subject)).toEqual([
        '[billing] Message parked: handler-error on t.storm',
        '[billing] Digest: 999 more failures: handler-error on t.storm in 2 min',
      ]);
      const digest = sink.received[1];
      expect(digest.text).toContain('Count:       999');
      expect(digest.text).toContain('Message ids (first 20 of 999):');
      expect(digest.text.match(/^ {2}t\.storm-m\d+$/gm)).toHaveLength(20);
      expect(digest.html).toContain(
        'href="http://billing.test/admin?status=open&amp;origin=consume&amp;reason=handler-error&amp;queue=t.storm"',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'sends the digest when the window ends, while the app keeps running',
    async () => {
      await withApp(2_000, async (app) => {
        await parkAll(app, [failure('t.window', 1), failure('t.window', 2), failure('t.window', 3)]);
        const digest = await waitFor(() => sink.withSubject(/Digest/)[0], { what: 'the digest email' });
        expect(digest.subject).toBe('[billing] Digest: 2 more failures: handler-error on t.window in 2 s');
        const parked = sink.withSubject(/Message parked/);
        expect(parked).toHaveLength(1);
        // The three parks run concurrently: the digest lists the two the immediate email did not name.
        const first = /^Message id: {2}(t\.window-m\d+)$/m.exec(parked[0].text)?.[1];
        const listed = [...digest.text.matchAll(/^ {2}(t\.window-m\d+)$/gm)].map((m) => m[1]);
        expect([first, ...listed].sort()).toEqual(['t.window-m1', 't.window-m2', 't.window-m3']);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'emails the next failure of a class whose window closed quiet at once, and never counts an earlier one again',
    async () => {
      await withApp(2_000, async (app) => {
        const dataSource = app.get(DataSource);
        const windowOf = async () => {
          const rows = await dataSource.query<Array<{ ends_at: Date | null; first_id: string }>>(
            "SELECT ends_at, first_id FROM alert_window WHERE source = 't.again'",
          );
          return rows[0];
        };
        const closedAfter = (deadLetterId: string) =>
          waitFor(
            async () => {
              const window = await windowOf();
              return window && window.ends_at === null && String(window.first_id) === deadLetterId;
            },
            { what: `the window opened by dead letter ${deadLetterId} to close quiet`, timeoutMs: 20_000 },
          );

        const first = (await app.get(DeadLetterService).park(failure('t.again', 1))).id;
        await closedAfter(String(first));
        const second = (await app.get(DeadLetterService).park(failure('t.again', 2))).id;
        // Closed quiet again: the second window counted nothing (before, it counted dead letter 1 anew).
        await closedAfter(String(second));
      });
      expect(sink.received.map((email) => email.subject)).toEqual([
        '[billing] Message parked: handler-error on t.again',
        '[billing] Message parked: handler-error on t.again',
      ]);
      expect(sink.received.map((email) => /^Message id: {2}(\S+)$/m.exec(email.text)?.[1])).toEqual([
        't.again-m1',
        't.again-m2',
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'escapes a payload and error text carrying markup in the email HTML',
    async () => {
      await withApp(DIGEST_WINDOW_MS, async (app) => {
        const script = '<script>alert(1)</script>';
        await parkAll(app, [
          failure('t.xss', 1, {
            payload: JSON.stringify({ note: script }),
            error: `cannot handle ${script}`,
            messageId: `id-${script}`,
          }),
        ]);
        const email = await waitFor(() => sink.withSubject(/t\.xss/)[0], { what: 'the alert email' });
        expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(email.html).not.toContain('<script');
        expect(email.text).toContain(`{"note":"${script}"}`);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps parking while SMTP is down and sends the emails once it is back',
    async () => {
      await withApp(DIGEST_WINDOW_MS, async (app) => {
        try {
          await sink.stop();
          await parkAll(app, [failure('t.outage-a', 1), failure('t.outage-b', 1), failure('t.outage-b', 2)]);
          expect(await countRows(app, 't.outage-a')).toBe(1);
          expect(await countRows(app, 't.outage-b')).toBe(2);
          expect(sink.received).toHaveLength(0);

          await sink.start();
          const subjects = await waitFor(
            () => {
              const seen = sink.received.map((email) => email.subject);
              return seen.length >= 3 && seen;
            },
            { what: 'two immediate emails and one digest after SMTP returned', timeoutMs: 30_000 },
          );
          expect([...subjects].sort()).toEqual([
            '[billing] Digest: 1 more failure: handler-error on t.outage-b in 4 s',
            '[billing] Message parked: handler-error on t.outage-a',
            '[billing] Message parked: handler-error on t.outage-b',
          ]);
        } finally {
          if (!sink.running) await sink.start();
        }
      });
    },
    TEST_TIMEOUT_MS,
  );
});
