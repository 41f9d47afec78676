import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuCost } from './cpu-meter';

/** Repetitions of one figure: the median is reported, the spread says how far to trust it. */
export interface Measurement {
  label: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent. */
  spreadPct: number;
  samples: number[];
}

/** A goal of docs/performance.md, checked either on the ratio or on the subject's own figure. */
export interface Target {
  on: 'ratio' | 'subject';
  op: '>=' | '<=';
  value: number;
  text: string;
}

export interface ScenarioResult {
  id: string;
  scenario: string;
  title: string;
  baseline: Measurement;
  subject: Measurement;
  /** subject median / baseline median. */
  ratio: number;
  target: Target | null;
  /** null: informational figure without a target. */
  pass: boolean | null;
  /** What limits this figure or why it may be off (e.g. broker-bound). */
  note?: string;
  extra?: Record<string, unknown>;
  /** CPU µs per message of each process (medians over the repetitions), baseline and subject path. */
  cpu?: { baseline: CpuCost; subject: CpuCost };
}

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  machine: { cpus: number; loadAverage: number[]; node: string };
  results: ScenarioResult[];
  /** Scenarios that threw (e.g. the broker restarted under them): no figures for them in this run. */
  failedScenarios: string[];
}

export function measure(label: string, unit: string, samples: number[]): Measurement {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  return {
    label,
    unit,
    median,
    min,
    max,
    spreadPct: median === 0 ? 0 : ((max - min) / median) * 100,
    samples,
  };
}

/** Nearest-rank percentile of an ascending array (median: mean of the middle two). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (p === 50 && sorted.length % 2 === 0) {
    const mid = sorted.length / 2;
    return (sorted[mid - 1] + sorted[mid]) / 2;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function compare(
  id: string,
  scenario: string,
  title: string,
  baseline: Measurement,
  subject: Measurement,
  target: Target | null,
  more: Pick<ScenarioResult, 'note' | 'extra' | 'cpu'> = {},
): ScenarioResult {
  const ratio = subject.median / baseline.median;
  const checked = target ? (target.on === 'ratio' ? ratio : subject.median) : NaN;
  const pass = target ? (target.op === '>=' ? checked >= target.value : checked <= target.value) : null;
  return { id, scenario, title, baseline, subject, ratio, target, pass, ...more };
}

/**
 * `latest.*` (committed) is only ever a complete full run; a quick or partial run goes to `partial.*`
 * (ignored by git), so trying one scenario cannot overwrite the figures the docs cite.
 */
export function writeReport(
  run: BenchRun,
  directory: string,
  complete: boolean,
): { json: string; markdown: string } {
  mkdirSync(directory, { recursive: true });
  const name = complete ? 'latest' : 'partial';
  const json = join(directory, `${name}.json`);
  const markdown = join(directory, `${name}.md`);
  writeFileSync(json, `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(run));
  return { json, markdown };
}

export function renderMarkdown(run: BenchRun): string {
  const lines = [
    `# Benchmark results (${run.mode})`,
    '',
    `${run.startedAt} → ${run.finishedAt}; ${run.machine.cpus} CPUs, load ${run.machine.loadAverage
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}, Node ${run.machine.node}. Medians of the repetitions; ± is the spread (max − min) / median.`,
    '',
    '| # | figure | baseline | subject | ratio | target | result |',
    '|---|---|---|---|---|---|---|',
    ...run.results.map(
      (r) =>
        `| ${r.scenario} | ${r.title} | ${cell(r.baseline)} | ${cell(r.subject)} | ${r.ratio.toFixed(2)}× | ${
          r.target?.text ?? '—'
        } | ${r.pass === null ? 'info' : r.pass ? 'PASS' : '**FAIL**'} |`,
    ),
    '',
  ];
  if (run.failedScenarios.length > 0) {
    lines.push(`Did not finish in this run: ${run.failedScenarios.join(', ')}.`, '');
  }
  lines.push(...renderCpuCost(run.results));
  const notes = run.results.filter((r) => r.note);
  if (notes.length > 0) {
    lines.push('Notes:', '', ...notes.map((r) => `- ${r.id}: ${r.note}`), '');
  }
  return lines.join('\n');
}

/**
 * The cost model: CPU µs per message of every process on each path, from /proc/<pid>/stat before and
 * after the measured interval. What predicts scale on a bigger machine, where messages per second on
 * 2 shared CPUs mostly say how the CPUs were split.
 */
export function renderCpuCost(results: ScenarioResult[]): string[] {
  const costed = results.filter((r) => r.cpu);
  if (costed.length === 0) return [];
  const roles = [
    ...new Set(costed.flatMap((r) => [...Object.keys(r.cpu!.baseline), ...Object.keys(r.cpu!.subject)])),
  ].filter((role) => role !== 'total');
  const us = (value: number | undefined) =>
    value === undefined || Number.isNaN(value) ? '—' : value.toFixed(1);
  const row = (id: string, path: string, cost: CpuCost, ratio: string) =>
    `| ${id} | ${path} | ${roles.map((role) => us(cost[role])).join(' | ')} | ${us(cost.total)} | ${ratio} |`;
  return [
    'CPU µs per message, per process, from /proc/<pid>/stat (medians; MariaDB, RabbitMQ and Redis net of their background rate sampled just before each run, since other suites share them):',
    '',
    `| figure | path | ${roles.join(' | ')} | total | total / baseline |`,
    `|---|---|${roles.map(() => '---|').join('')}---|---|`,
    ...costed.flatMap((r) => [
      row(r.id, r.baseline.label, r.cpu!.baseline, '1.00×'),
      row(
        r.id,
        r.subject.label,
        r.cpu!.subject,
        `${(r.cpu!.subject.total / r.cpu!.baseline.total).toFixed(2)}×`,
      ),
    ]),
    '',
  ];
}

export function formatLine(r: ScenarioResult): string {
  const verdict = r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL';
  return `${verdict.padEnd(4)} ${r.id.padEnd(26)} ${cell(r.baseline)} -> ${cell(r.subject)}  ratio ${r.ratio.toFixed(2)}x${
    r.target ? `  (target ${r.target.text})` : ''
  }`;
}

function cell(m: Measurement): string {
  const value = m.median >= 100 ? m.median.toFixed(0) : m.median.toFixed(1);
  return `${m.label}: ${value} ${m.unit} ±${m.spreadPct.toFixed(0)}%`;
}
