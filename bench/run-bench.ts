/**
 * The benchmark suite (docs/performance.md): every figure beside its baseline measured in the same run, as medians
 * of repetitions with their spread, ratios checked against the targets. Writes bench/results/latest.*.
 *
 *   npm run bench                     full run (~10 min)
 *   npm run bench -- --quick          fewer messages and repetitions (< 3 min)
 *   npm run bench -- --only=consume,ordered --reps=5
 */
import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createTestNamespace } from '../libs/messaging/test/support';
import { BenchRun, formatLine, ScenarioResult, writeReport } from './bench-report';
import type { BenchContext } from './bench-kit';
import { ConsumerBenchApp } from './consumer-bench-app';
import { adminConsoleScenarios } from './scenarios/admin-console.scenario';
import { consumeScenarios, orderedScenarios } from './scenarios/consume.scenario';
import { endToEndScenarios } from './scenarios/end-to-end.scenario';
import { nestTransportScenarios } from './scenarios/nest-transport.scenario';
import { publishScenarios } from './scenarios/publish.scenario';
import { scaleOutScenarios } from './scenarios/scale-out.scenario';
import { writePathScenarios } from './scenarios/write-path.scenario';

const SCENARIOS = [
  'publish',
  'e2e',
  'consume',
  'ordered',
  'nest',
  'scale-out',
  'write-path',
  'admin',
] as const;
type ScenarioName = (typeof SCENARIOS)[number];

function parseArgs(argv: string[]): { quick: boolean; reps: number; only: ScenarioName[] } {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const quick = argv.includes('--quick');
  const only = (value('only')?.split(',') ?? [...SCENARIOS]) as ScenarioName[];
  const unknown = only.filter((name) => !SCENARIOS.includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  return { quick, reps: Number(value('reps') ?? (quick ? 3 : 5)), only };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const ctx: BenchContext = {
    quick: args.quick,
    reps: args.reps,
    progress: (message) => {
      const elapsed = Math.round((Date.now() - startedAt.getTime()) / 1000);
      process.stdout.write(
        `[${String(Math.floor(elapsed / 60)).padStart(2, '0')}:${String(elapsed % 60).padStart(2, '0')}] ${message}\n`,
      );
    },
  };
  ctx.progress(`bench ${args.quick ? 'quick' : 'full'}, ${args.reps} repetitions: ${args.only.join(', ')}`);
  const results: ScenarioResult[] = [];
  const failedScenarios: ScenarioName[] = [];
  const run = async (name: ScenarioName, body: () => Promise<ScenarioResult[]>) => {
    if (!args.only.includes(name)) return;
    ctx.progress(`${name}: start`);
    let found: ScenarioResult[];
    try {
      found = await body();
    } catch (error) {
      // A broker restart by another suite on a shared machine: keep the other scenarios' figures.
      ctx.progress(`${name}: FAILED, no figures: ${error instanceof Error ? error.message : String(error)}`);
      failedScenarios.push(name);
      return;
    }
    found.forEach((result) => ctx.progress(formatLine(result)));
    results.push(...found);
  };
  await run('publish', () => publishScenarios(ctx));
  await run('e2e', () => endToEndScenarios(ctx));
  if (args.only.includes('consume') || args.only.includes('ordered')) {
    const ns = await createTestNamespace('bench_consume');
    const app = await ConsumerBenchApp.start(ns);
    try {
      await run('consume', () => consumeScenarios(ctx, app));
      await run('ordered', () => orderedScenarios(ctx, app));
    } finally {
      await app.close();
      await ns.cleanup();
    }
  }
  await run('nest', () => nestTransportScenarios(ctx));
  await run('scale-out', () => scaleOutScenarios(ctx));
  await run('write-path', () => writePathScenarios(ctx));
  await run('admin', () => adminConsoleScenarios(ctx));

  const report: BenchRun = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    machine: { cpus: cpus().length, loadAverage: loadavg(), node: process.version },
    results,
    failedScenarios,
  };
  const complete = !args.quick && args.only.length === SCENARIOS.length && failedScenarios.length === 0;
  const files = writeReport(report, join(__dirname, 'results'), complete);
  const failed = results.filter((r) => r.pass === false).map((r) => r.id);
  ctx.progress(`wrote ${files.json} and ${files.markdown}`);
  if (failed.length > 0) ctx.progress(`targets missed: ${failed.join(', ')}`);
  else if (failedScenarios.length === 0) ctx.progress('all targets met');
  if (failedScenarios.length > 0) {
    ctx.progress(`scenarios that did not finish: ${failedScenarios.join(', ')}`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
