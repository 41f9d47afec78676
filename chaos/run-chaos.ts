/**
 * `npm run chaos [-- --quick] [-- --keep-data]`: drives the built demo apps under faults on the shared
 * services and verifies from the databases that nothing was lost, duplicated or reordered. Build first
 * (`npm run build`). On this team's shared machine run it as `flock /tmp/service-faults.lock npm run chaos`.
 */
import { ChaosSuite, RESULTS_DIR } from './chaos-suite';

const started = Date.now();
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

const suite = new ChaosSuite({
  mode: process.argv.includes('--quick') ? 'quick' : 'full',
  log,
  resultsDir: RESULTS_DIR,
  keepData: process.argv.includes('--keep-data'),
});

// The trap: an interrupted run still starts every service it stopped before the process ends.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the load and the faults, restoring services`);
    void suite.interrupt().finally(() => process.exit(130));
  });
}

suite.run().then(
  (report) => process.exit(report.passed ? 0 : 1),
  (error: Error) => {
    log(`chaos suite failed: ${error.stack ?? error.message}`);
    process.exit(2);
  },
);
