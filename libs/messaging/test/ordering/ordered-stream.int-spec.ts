import { ACCEPTANCE_RUN, runOrderedStream, useOrderingNamespace, waitForHandled } from './ordering-test-kit';

const TOTAL = ACCEPTANCE_RUN.keys * ACCEPTANCE_RUN.perKey;
const ns = useOrderingNamespace('ordered_stream');

describe('per-key order end to end (outbox → two relays → hash exchange → two consumers)', () => {
  it('handles every key 1..50 in order, once each, across a consumer SIGKILL and restart', async () => {
    let killed = '';
    const report = await runOrderedStream(ns, ACCEPTANCE_RUN, async (run) => {
      await waitForHandled(ns, TOTAL / 3, 'a third of the messages handled');
      killed = await run.killActiveConsumer();
      return `ordered stream, consumer ${killed} killed`;
    });
    // The kill happened mid-stream: the killed instance and a survivor both wrote effects.
    expect(report.byInstance[killed]).toBeGreaterThan(0);
    expect(report.byInstance[killed]).toBeLessThan(TOTAL);
  }, 300_000);
});
