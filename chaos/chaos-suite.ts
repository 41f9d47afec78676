import { join } from 'node:path';
import { REPO_ROOT } from '../libs/messaging/test/support';
import { buildReport, ChaosReport, summaryTable, writeReport } from './chaos-report';
import { killRunningMembers } from './chaos-fleet';
import { ChaosRunResult, runChaosScenario } from './chaos-run';
import { FULL_SCENARIO, QUICK_SCENARIO, REDIS_ONLY_SCENARIO } from './chaos-scenarios';
import { ServiceControl } from './service-control';

export const RESULTS_DIR = join(REPO_ROOT, 'chaos/results');

export interface ChaosSuiteOptions {
  mode: 'full' | 'quick';
  log: (line: string) => void;
  /** Where latest.json goes; undefined: not written. */
  resultsDir?: string;
  keepData?: boolean;
}

/**
 * The whole suite: the inbox-mode scenario, then (full mode) the Redis-only dedupe scenario. Whatever
 * happens, every service it stopped is started again before it returns or throws; `interrupt()` stops
 * the load and the fault schedule early (the CLI's signal trap calls it, then awaits the restore).
 */
export class ChaosSuite {
  private readonly services = new ServiceControl();
  private readonly aborts: Array<() => void> = [];
  private restoring: Promise<void> | null = null;

  constructor(private readonly options: ChaosSuiteOptions) {}

  async run(): Promise<ChaosReport> {
    const { mode, log } = this.options;
    const started = Date.now();
    const scenarios = mode === 'quick' ? [QUICK_SCENARIO] : [FULL_SCENARIO, REDIS_ONLY_SCENARIO];
    const runs: ChaosRunResult[] = [];
    try {
      for (const scenario of scenarios) {
        if (this.interrupted) break;
        runs.push(
          await runChaosScenario(scenario, this.services, {
            log,
            keepData: this.options.keepData,
            onAbort: (abort) => this.aborts.push(abort),
          }),
        );
      }
    } finally {
      await this.restore();
    }
    if (runs.length === 0) throw new Error('chaos suite interrupted before a scenario finished');
    const report = buildReport(mode, runs, started);
    if (this.options.resultsDir) {
      for (const file of writeReport(this.options.resultsDir, report)) log(`wrote ${file}`);
    }
    log(`summary\n${summaryTable(report)}`);
    return report;
  }

  private interrupted = false;

  /** Stops load and faults now, restores the services and kills the run's apps; resolves when done. */
  async interrupt(): Promise<void> {
    this.interrupted = true;
    this.aborts.forEach((abort) => abort());
    await this.restore();
    await killRunningMembers();
  }

  private restore(): Promise<void> {
    this.restoring ??= this.services.restoreAll(this.options.log).finally(() => (this.restoring = null));
    return this.restoring;
  }
}
