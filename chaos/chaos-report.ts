import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosRunResult } from './chaos-run';

export interface ChaosReport {
  mode: 'full' | 'quick';
  startedAt: string;
  durationSec: number;
  passed: boolean;
  failures: string[];
  /** The acceptance run (inbox mode) flattened for quick reading. */
  sent: number;
  handled: number;
  lost: number;
  duplicates: number;
  orderViolations: number;
  parked: number;
  faults: ChaosRunResult['faults'];
  /** Duplicates of the Redis-only dedupe run (reported, not failed). */
  redisOnlyDuplicates: number | null;
  runs: ChaosRunResult[];
}

/** What must hold for an inbox-mode run; a Redis-only run is reported, never failed. */
export function acceptanceFailures(run: ChaosRunResult): string[] {
  if (run.dedupe !== 'inbox') return [];
  const v = run.verdict;
  const checks: Array<[boolean, string]> = [
    [v.lost === 0, `lost = ${v.lost} (of which ${v.parkedGood} parked ordinary events)`],
    [v.duplicates === 0, `duplicates = ${v.duplicates}`],
    [v.orderViolations === 0, `orderViolations = ${v.orderViolations}`],
    [v.outboxPending === 0, `outbox not drained: ${v.outboxPending} pending`],
    [v.poisonMissing === 0, `${v.poisonMissing} poison events not in dead_letter`],
    [v.brokerDeadLettered === 0, `${v.brokerDeadLettered} messages dead-lettered by the broker`],
    [run.faults.every((f) => !f.error), 'a fault could not be injected or recovered'],
  ];
  return checks.filter(([ok]) => !ok).map(([, message]) => `[${run.scenario}] ${message}`);
}

export function buildReport(mode: 'full' | 'quick', runs: ChaosRunResult[], startedAt: number): ChaosReport {
  const main = runs.find((r) => r.dedupe === 'inbox') ?? runs[0];
  const redisOnly = runs.find((r) => r.dedupe === 'redis');
  const failures = runs.flatMap(acceptanceFailures);
  return {
    mode,
    startedAt: new Date(startedAt).toISOString(),
    durationSec: Math.round((Date.now() - startedAt) / 1000),
    passed: failures.length === 0,
    failures,
    sent: main.verdict.sent,
    handled: main.verdict.handled,
    lost: main.verdict.lost,
    duplicates: main.verdict.duplicates,
    orderViolations: main.verdict.orderViolations,
    parked: main.verdict.parked,
    faults: main.faults,
    redisOnlyDuplicates: redisOnly ? redisOnly.verdict.duplicates : null,
    runs,
  };
}

/** The summary table printed at the end and pasted into notes. */
export function summaryTable(report: ChaosReport): string {
  const columns: Array<[string, (r: ChaosRunResult) => string | number]> = [
    ['run', (r) => `${r.scenario} (${r.dedupe})`],
    ['sent', (r) => r.verdict.sent],
    ['handled', (r) => r.verdict.handled],
    ['lost', (r) => r.verdict.lost],
    ['duplicates', (r) => r.verdict.duplicates],
    ['orderViolations', (r) => r.verdict.orderViolations],
    ['parked', (r) => r.verdict.parked],
    ['poison', (r) => `${r.verdict.poisonEvents - r.verdict.poisonMissing}/${r.verdict.poisonEvents}`],
    ['outbox', (r) => r.verdict.outboxPending],
    ['faults', (r) => r.faults.length],
    ['emails', (r) => r.emailsReceived],
    ['seconds', (r) => r.durationSec],
  ];
  const rows = report.runs.map((run) => columns.map(([, cell]) => String(cell(run))));
  const header = columns.map(([name]) => name);
  const widths = header.map((name, i) => Math.max(name.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const faults = report.runs
    .flatMap((run) =>
      run.faults.map(
        (f) =>
          `  ${run.scenario.padEnd(18)} t=${String(f.startedAtSec).padStart(6)}s ${f.kind}` +
          `${f.target ? ` ${f.target}` : ''}: ${(f.outageMs / 1000).toFixed(1)} s${f.error ? ` ERROR ${f.error}` : ''}`,
      ),
    )
    .join('\n');
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'faults (start since load began, outage):',
    faults,
    '',
    report.passed ? 'PASSED' : `FAILED:\n  ${report.failures.join('\n  ')}`,
  ].join('\n');
}

export function writeReport(dir: string, report: ChaosReport): string[] {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const files = [join(dir, 'latest.json'), join(dir, `${report.mode}.json`)];
  for (const file of files) writeFileSync(file, json);
  return files;
}
