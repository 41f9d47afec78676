import { sleep, startRabbitApp, stopRabbitApp } from '../support';
import {
  ACCEPTANCE_RUN,
  effectTotal,
  runOrderedStream,
  useOrderingNamespace,
  waitForHandled,
} from './ordering-test-kit';

const TOTAL = ACCEPTANCE_RUN.keys * ACCEPTANCE_RUN.perKey;
/** Long enough for every connection to notice and the relays to back off; short for the other suites. */
const BROKER_DOWN_MS = 3000;

const ns = useOrderingNamespace('ordered_restart');

describe('per-key order end to end across a RabbitMQ restart', () => {
  it('handles every key 1..50 in order, once each, across a consumer SIGKILL and a broker restart', async () => {
    let killed = '';
    let handledWhenStopped = 0;
    const report = await runOrderedStream(ns, ACCEPTANCE_RUN, async (run) => {
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
    });
    expect(handledWhenStopped).toBeLessThan(TOTAL);
    expect(report.byInstance[killed]).toBeGreaterThan(0);
  }, 400_000);
});
