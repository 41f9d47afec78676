import { waitFor } from '../libs/messaging/test/support';
import { AlertVerdict, checkAlerts, ParkedClass, parkedClasses } from './alert-check';
import { ChaosFleet } from './chaos-fleet';
import type { ChaosScenario } from './chaos-scenarios';
import { FaultInjector, FaultRecord } from './fault-injector';
import { LoadDriver, LoadProgress } from './load-driver';
import type { ServiceControl } from './service-control';
import { queueDepths, Verdict, verify } from './verifier';

export interface ChaosRunResult {
  scenario: string;
  dedupe: 'inbox' | 'redis';
  producers: number;
  consumers: number;
  startedAt: string;
  durationSec: number;
  loadSec: number;
  quiesced: boolean;
  load: LoadProgress;
  emailsReceived: number;
  /** G7: every failure class's first email and, where it parked more, a digest (read after shutdown). */
  alerts: AlertVerdict;
  verdict: Verdict;
  faults: FaultRecord[];
}

export interface ChaosRunHooks {
  log: (line: string) => void;
  /** Called with a function that stops the run early (the signal trap uses it). */
  onAbort?: (abort: () => void) => void;
  /** Keep the run's databases and vhost for inspection. */
  keepData?: boolean;
}

const PROGRESS_EVERY_MS = 10_000;

/**
 * One scenario: start the fleet, drive the load while the faults run on their schedule, wait until
 * nothing moves any more, verify from the databases, tear the fleet down.
 */
export async function runChaosScenario(
  scenario: ChaosScenario,
  services: ServiceControl,
  hooks: ChaosRunHooks,
): Promise<ChaosRunResult> {
  const { log } = hooks;
  const runStarted = Date.now();
  log(`[${scenario.name}] starting ${scenario.producers} producers + ${scenario.consumers} consumers`);
  const fleet = await ChaosFleet.start({
    label: `chaos_${scenario.name}`,
    producers: scenario.producers,
    consumers: scenario.consumers,
    dedupe: scenario.dedupe,
  });
  let classes: ParkedClass[];
  let result: ChaosRunResult;
  try {
    const loadStarted = Date.now();
    const driver = new LoadDriver(fleet.producers, scenario.load);
    const injector = new FaultInjector(
      fleet,
      services,
      (line) => log(`[${scenario.name}] ${line}`),
      loadStarted,
    );
    hooks.onAbort?.(() => {
      driver.stop();
      injector.stop();
    });
    log(
      `[${scenario.name}] load: ${scenario.load.messages} events at ${scenario.load.ratePerSecond}/s, ` +
        `${scenario.faults.length} faults scheduled`,
    );
    const ticker = setInterval(
      () => void progressLine(fleet, driver, scenario.name, loadStarted).then(log, () => undefined),
      PROGRESS_EVERY_MS,
    );
    try {
      await Promise.all([driver.run(), injector.run(scenario.faults)]);
    } finally {
      clearInterval(ticker);
    }
    const loadSec = (Date.now() - loadStarted) / 1000;
    log(`[${scenario.name}] load done after ${loadSec.toFixed(0)} s; waiting for quiescence`);
    const quiesced = await quiesce(fleet, scenario.quiesceTimeoutMs);
    if (!quiesced) log(`[${scenario.name}] did NOT quiesce within ${scenario.quiesceTimeoutMs / 1000} s`);
    const verdict = await verify(fleet);
    classes = [...(await parkedClasses(fleet.ordersDb)), ...(await parkedClasses(fleet.billingDb))];
    result = {
      scenario: scenario.name,
      dedupe: scenario.dedupe,
      producers: scenario.producers,
      consumers: scenario.consumers,
      startedAt: new Date(runStarted).toISOString(),
      durationSec: Math.round((Date.now() - runStarted) / 1000),
      loadSec: Math.round(loadSec),
      quiesced,
      load: driver.progress,
      emailsReceived: 0,
      alerts: checkAlerts([], []),
      verdict,
      faults: injector.records,
    };
  } finally {
    // The apps send the digests their open windows collected when they shut down: count after it.
    await fleet.destroy(hooks.keepData ?? false);
  }
  return {
    ...result,
    emailsReceived: fleet.smtp.received,
    alerts: checkAlerts(classes, fleet.smtp.subjects),
  };
}

/** Outbox drained, queues empty and the ledger unchanged for three polls in a row. */
async function quiesce(fleet: ChaosFleet, timeoutMs: number): Promise<boolean> {
  let last = '';
  let stableFor = 0;
  try {
    await waitFor(
      async () => {
        const snapshot = await settleSnapshot(fleet);
        stableFor = snapshot.busy === 0 && snapshot.key === last ? stableFor + 1 : 0;
        last = snapshot.key;
        return stableFor >= 3;
      },
      { what: 'the run to quiesce', timeoutMs, intervalMs: 2000 },
    );
    return true;
  } catch {
    return false;
  }
}

/** Unsent outbox rows (producers' database) and ledger rows (billing's). */
async function pendingAndBilled(fleet: ChaosFleet): Promise<{ pending: number; ledger: number }> {
  const [pending] = await fleet.query<{ n: number }>(
    fleet.ordersDb,
    'SELECT COUNT(*) AS n FROM outbox_message WHERE sent_at IS NULL',
  );
  const [ledger] = await fleet.query<{ n: number }>(
    fleet.billingDb,
    'SELECT COUNT(*) AS n FROM billing_ledger',
  );
  return { pending: Number(pending.n), ledger: Number(ledger.n) };
}

async function settleSnapshot(fleet: ChaosFleet): Promise<{ busy: number; key: string }> {
  const { pending, ledger } = await pendingAndBilled(fleet);
  const [parked] = await fleet.query<{ n: number }>(fleet.billingDb, 'SELECT COUNT(*) AS n FROM dead_letter');
  const working = (await queueDepths(fleet.vhost.name))
    .filter((q) => !q.name.endsWith('.dlq'))
    .reduce((sum, q) => sum + (q.messages ?? 0), 0);
  return {
    busy: pending + working,
    key: `${ledger}/${Number(parked.n)}`,
  };
}

async function progressLine(
  fleet: ChaosFleet,
  driver: LoadDriver,
  scenario: string,
  startedAt: number,
): Promise<string> {
  const { pending, ledger } = await pendingAndBilled(fleet);
  const up = [...fleet.producers, ...fleet.consumers].filter((m) => m.up).length;
  const { eventsCommitted, retries } = driver.progress;
  return (
    `[${scenario}] t=${Math.round((Date.now() - startedAt) / 1000)}s committed=${eventsCommitted} ` +
    `outboxPending=${pending} ledger=${ledger} retries=${retries} appsUp=${up}`
  );
}
