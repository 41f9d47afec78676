import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosRunResult } from './chaos-run';

export interface ChaosReport {
  mode: 'full' | 'quick';
  startedAt: string;
  durationSec: number;
  /** `git describe`-style commit the run was built from; `-dirty` when the work tree had changes. */
  commit: string;
  passed: boolean;
  failures: string[];
  /** The acceptance run (inbox mode) flattened for quick reading. */
  sent: number;
  handled: number;
  lost: number;
  duplicates: number;
  orderViolations: number;
  phantoms: number;
  parked: number;
  emails: number;
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
    [v.phantoms === 0, `phantoms = ${v.phantoms} (ledger events whose order write never committed)`],
    [run.quiesced, 'did not quiesce (outbox, queues or ledger still moving)'],
    [v.queuedMessages === 0, `${v.queuedMessages} messages still in the run's queues`],
    [
      run.alerts.classes > 0 && run.alerts.missingFirst.length === 0,
      `failure classes without a first email: ${run.alerts.missingFirst.join(', ') || '(no class parked at all)'}`,
    ],
    [
      run.alerts.missingDigest.length === 0,
      `failure classes without a digest: ${run.alerts.missingDigest.join(', ')}`,
    ],
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
    commit: currentCommit(),
    passed: failures.length === 0,
    failures,
    sent: main.verdict.sent,
    handled: main.verdict.handled,
    lost: main.verdict.lost,
    duplicates: main.verdict.duplicates,
    orderViolations: main.verdict.orderViolations,
    phantoms: main.verdict.phantoms,
    parked: main.verdict.parked,
    emails: main.emailsReceived,
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
    ['phantoms', (r) => r.verdict.phantoms],
    ['parked', (r) => r.verdict.parked],
    ['extra', (r) => extraParked(r.verdict.parkedExtra)],
    ['poison', (r) => `${r.verdict.poisonEvents - r.verdict.poisonMissing}/${r.verdict.poisonEvents}`],
    ['outbox', (r) => r.verdict.outboxPending],
    ['faults', (r) => r.faults.length],
    ['emails', (r) => r.emailsReceived],
    ['classes', (r) => r.alerts.classes],
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
          `${f.target ? ` ${f.target}` : ''}: ${(f.outageMs / 1000).toFixed(1)} s` +
          `${f.detail ? ` (${f.detail})` : ''}${f.error ? ` ERROR ${f.error}` : ''}`,
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
    `commit ${report.commit}`,
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

function currentCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const head = git('rev-parse', '--short=12', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** `repeat:attempts-exhausted=1 publish:unroutable=2`, or `-` when every row is a poison event's first. */
function extraParked(
  extra: { repeats: Record<string, number>; publish: Record<string, number> } | undefined,
): string {
  if (!extra) return '-';
  const parts = [
    ...Object.entries(extra.repeats).map(([reason, n]) => `repeat:${reason}=${n}`),
    ...Object.entries(extra.publish).map(([reason, n]) => `publish:${reason}=${n}`),
  ];
  return parts.join(' ') || '-';
}
