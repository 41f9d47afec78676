import { createEffectTable } from '../consuming/effect-table';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { effectTotal, expectEveryKeyInOrder, OrderedStreamRun, waitForQuiet } from './ordering-test-kit';

const PREFIX = 'ordering';
const KEYS = 200;
const PER_KEY = 50;
const TOTAL = KEYS * PER_KEY;

const ns = useTestNamespace('ordered_stream');

describe('per-key order end to end (outbox → two relays → hash exchange → two consumers)', () => {
  beforeAll(async () => {
    await createEffectTable(ns.database.url);
  });

  it('handles every key 1..50 in order, once each, across a consumer SIGKILL and restart', async () => {
    const run = await OrderedStreamRun.start(ns, PREFIX);
    let killed: string;
    let childOutput: string;
    try {
      const writing = run.writer.writeRounds(KEYS, PER_KEY);
      await waitFor(async () => (await effectTotal(ns)) >= TOTAL / 3, {
        what: 'a third of the messages handled',
        timeoutMs: 120_000,
      });
      killed = await run.killActiveConsumer();
      await writing;
      await waitForQuiet(ns, PREFIX, TOTAL);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${run.output()}`, { cause: error });
    } finally {
      await run.stop();
      childOutput = run.output();
    }

    const report = await expectEveryKeyInOrder(ns, {
      label: `ordered stream, consumer ${killed} killed`,
      keys: KEYS,
      perKey: PER_KEY,
      childOutput,
    });
    // The kill happened mid-stream: the killed instance and a survivor both wrote effects.
    expect(report.byInstance[killed]).toBeGreaterThan(0);
    expect(report.byInstance[killed]).toBeLessThan(TOTAL);
  }, 300_000);
});
