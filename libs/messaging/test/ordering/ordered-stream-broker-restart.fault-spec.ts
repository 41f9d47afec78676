import { createEffectTable } from '../consuming/effect-table';
import { sleep, startRabbitApp, stopRabbitApp, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { effectTotal, expectEveryKeyInOrder, OrderedStreamRun, waitForQuiet } from './ordering-test-kit';

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
    const run = await OrderedStreamRun.start(ns, PREFIX);
    let killed: string;
    let childOutput: string;
    let handledWhenStopped: number;
    try {
      const writing = run.writer.writeRounds(KEYS, PER_KEY);
      await waitFor(async () => (await effectTotal(ns)) >= TOTAL / 4, {
        what: 'a quarter of the messages handled',
        timeoutMs: 120_000,
      });
      killed = await run.killActiveConsumer();
      await waitFor(async () => (await effectTotal(ns)) >= TOTAL / 2, {
        what: 'half of the messages handled',
        timeoutMs: 120_000,
      });
      try {
        await stopRabbitApp();
        handledWhenStopped = await effectTotal(ns);
        await sleep(BROKER_DOWN_MS);
      } finally {
        await startRabbitApp();
      }
      await writing;
      await waitForQuiet(ns, PREFIX, TOTAL);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${run.output()}`, { cause: error });
    } finally {
      await run.stop();
      childOutput = run.output();
    }

    const report = await expectEveryKeyInOrder(ns, {
      label: `ordered stream, consumer ${killed} killed, broker stopped at ${handledWhenStopped} handled`,
      keys: KEYS,
      perKey: PER_KEY,
      childOutput,
    });
    expect(handledWhenStopped).toBeLessThan(TOTAL);
    expect(report.byInstance[killed]).toBeGreaterThan(0);
  }, 400_000);
});
