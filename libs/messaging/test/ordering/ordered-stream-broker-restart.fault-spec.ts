import { createEffectTable } from '../consuming/effect-table';
import { sleep, startRabbitApp, stopRabbitApp } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { effectTotal, runOrderedStream, waitForHandled } from './ordering-test-kit';

const PREFIX = 'ordering';
const KEYS = 200;
const PER_KEY = 50;
const TOTAL = KEYS * PER_KEY;
/** Long enough for every connection to notice and the relays to back off; short for the other suites. */
const BROKER_DOWN_MS = 3000;

const ns = useTestNamespace('ordered_restart');

describe('per-key order end to end across a RabbitMQ restart', () => {
  beforeAll(async () => {
    await createEffectTable(ns.database.url);
  });

  it('handles every key 1..50 in order, once each, across a consumer SIGKILL and a broker restart', async () => {
    let killed = '';
    let handledWhenStopped = 0;
    const report = await runOrderedStream(
      ns,
      { prefix: PREFIX, keys: KEYS, perKey: PER_KEY },
      async (run) => {
        await waitForHandled(ns, TOTAL / 4, 'a quarter of the messages handled');
        killed = await run.killActiveConsumer();
        await waitForHandled(ns, TOTAL / 2, 'half of the messages handled');
        try {
          await stopRabbitApp();
          handledWhenStopped = await effectTotal(ns);
          await sleep(BROKER_DOWN_MS);
        } finally {
          await startRabbitApp();
        }
        return `ordered stream, consumer ${killed} killed, broker stopped at ${handledWhenStopped} handled`;
      },
    );
    expect(handledWhenStopped).toBeLessThan(TOTAL);
    expect(report.byInstance[killed]).toBeGreaterThan(0);
  }, 400_000);
});
