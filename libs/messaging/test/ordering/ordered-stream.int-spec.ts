import { createEffectTable } from '../consuming/effect-table';
import { useTestNamespace } from '../support/namespace-fixture';
import { runOrderedStream, waitForHandled } from './ordering-test-kit';

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
    let killed = '';
    const report = await runOrderedStream(
      ns,
      { prefix: PREFIX, keys: KEYS, perKey: PER_KEY },
      async (run) => {
        await waitForHandled(ns, TOTAL / 3, 'a third of the messages handled');
        killed = await run.killActiveConsumer();
        return `ordered stream, consumer ${killed} killed`;
      },
    );
    // The kill happened mid-stream: the killed instance and a survivor both wrote effects.
    expect(report.byInstance[killed]).toBeGreaterThan(0);
    expect(report.byInstance[killed]).toBeLessThan(TOTAL);
  }, 300_000);
});
