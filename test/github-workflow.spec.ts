import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const workflowText = readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8');

interface Workflow {
  jobs: Record<
    string,
    {
      strategy?: { matrix?: { node?: number[] } };
      steps: Array<{ run?: string }>;
      services?: Record<string, { image: string }>;
    }
  >;
}

/** SchemaStore's workflow schema, checked offline (the workflow cannot run on this machine). */
const schemaErrors = (text: string) => validateWorkflow(text).errors;

describe('.github/workflows/ci.yml (validated offline against the workflow schema)', () => {
  const workflow = parse(workflowText) as Workflow;
  const runs = (job: string) => workflow.jobs[job].steps.map((step) => step.run ?? '').join('\n');

  it('is a valid workflow', () => {
    expect(schemaErrors(workflowText)).toEqual([]);
  });

  it('fails validation on a misspelled key, so the check above means something', () => {
    expect(schemaErrors(workflowText.replace('runs-on:', 'run-on:'))).not.toEqual([]);
  });

  it('runs what .ci/run runs: install, build, lint, type-check and the tests', () => {
    for (const command of ['npm ci', 'npm run build', 'npm run lint', 'npm run typecheck']) {
      expect(runs('suites')).toContain(command);
    }
    expect(runs('suites')).toMatch(/jest --selectProjects unit integration/);
    expect(runs('faults')).toContain('bash .ci/run');
  });

  it('tests on Node 20, 24 and the Active LTS 26, against MariaDB, RabbitMQ and Redis service containers', () => {
    expect(workflow.jobs.suites.strategy?.matrix?.node).toEqual(expect.arrayContaining([20, 24, 26]));
    const images = Object.values(workflow.jobs.suites.services ?? {}).map((s) => s.image);
    expect(images).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mariadb:10\.11/),
        expect.stringMatching(/^rabbitmq:.*management/),
        expect.stringMatching(/^redis:7/),
      ]),
    );
    expect(runs('suites')).toContain('rabbitmq-plugins enable rabbitmq_consistent_hash_exchange');
  });
});

describe('.github/dependabot.yml', () => {
  const config = parse(readFileSync(join(root, '.github/dependabot.yml'), 'utf8')) as {
    version: number;
    updates: Array<{ 'package-ecosystem': string; groups?: Record<string, { patterns: string[] }> }>;
  };

  it('updates npm weekly with Nest and golevelup in one group, so they move together', () => {
    expect(config.version).toBe(2);
    const npm = config.updates.find((u) => u['package-ecosystem'] === 'npm');
    expect(npm?.groups?.nest.patterns).toEqual(expect.arrayContaining(['@nestjs/*', '@golevelup/*']));
  });
});
