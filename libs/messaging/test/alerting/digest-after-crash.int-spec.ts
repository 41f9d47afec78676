import { ChildApp, startChild, waitFor, waitForSteady } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { SmtpSink } from './smtp-sink';

const FIXTURE = require.resolve('./alerter-process.fixture.ts');
// Long enough that the first process is killed inside its window, short enough for a quick test.
const DIGEST_WINDOW_MS = 6_000;
const PARKED = 6;

const ns = useTestNamespace('digest_crash');

describe('A digest whose process was SIGKILLed inside the window (G7)', () => {
  const sink = new SmtpSink();
  const children: ChildApp[] = [];

  beforeAll(async () => {
    await sink.start();
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => child.kill('SIGKILL')));
    await sink.stop();
  });

  const start = (extra: Record<string, string>) => {
    const child = startChild(
      FIXTURE,
      ns.env({ SMTP_URL: sink.url, DIGEST_WINDOW_MS: String(DIGEST_WINDOW_MS), ...extra }),
    );
    children.push(child);
    return child;
  };

  it('is sent once, with the right count, by one of two other processes', async () => {
    const first = start({ PARK_COUNT: String(PARKED), PARK_QUEUE: 't.crash' });
    await first.waitForOutput(/alerter ready, parked 6/);
    await waitFor(() => sink.withSubject(/Message parked/).length === 1, { what: 'the immediate email' });
    await first.kill('SIGKILL');
    expect(sink.withSubject(/Digest/)).toEqual([]);

    // Two survivors race for the digest; the claim in alert_window lets exactly one send it.
    const survivors = [start({}), start({})];
    await Promise.all(survivors.map((child) => child.waitForOutput(/alerter ready, parked 0/)));
    const digest = await waitFor(() => sink.withSubject(/Digest/)[0], {
      what: 'the digest from a survivor',
      timeoutMs: 40_000,
    });
    expect(digest.subject).toBe('[billing] Digest: 5 more failures: handler-error on t.crash in 6 s');
    const listed = [...digest.text.matchAll(/^ {2}(t\.crash-m\d+)$/gm)].map((m) => m[1]);
    const immediateId = /^Message id: {2}(t\.crash-m\d+)$/m.exec(
      sink.withSubject(/Message parked/)[0].text,
    )?.[1];
    expect([immediateId, ...listed].sort()).toEqual(
      Array.from({ length: PARKED }, (_, i) => `t.crash-m${i}`),
    );

    // A second digest would come from the other survivor within a tick or two.
    const emails = () => sink.received.length;
    let seen = emails();
    await waitForSteady(
      () => {
        const same = emails() === seen;
        seen = emails();
        return Promise.resolve(same);
      },
      { what: 'no further email', steadyMs: 5_000 },
    );
    expect(sink.received.map((email) => email.subject)).toEqual([
      '[billing] Message parked: handler-error on t.crash',
      '[billing] Digest: 5 more failures: handler-error on t.crash in 6 s',
    ]);
  }, 90_000);
});
