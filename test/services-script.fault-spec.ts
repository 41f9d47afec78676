import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../libs/messaging/test/support';

const run = promisify(execFile);
const servicesScript = join(REPO_ROOT, 'scripts/services.sh');
const env = { ...process.env, MYSQL_URL: '', RABBITMQ_URL: '', REDIS_URL: '' };

async function rabbitRunning(): Promise<boolean> {
  try {
    await run('rabbitmqctl', ['-q', 'await_startup', '--timeout', '3']);
    return true;
  } catch {
    return false;
  }
}

describe('scripts/services.sh ensure', () => {
  afterAll(async () => {
    await run('bash', [servicesScript, 'ensure'], { env, timeout: 180_000 });
  });

  it('finds the running services and prints one line per service', async () => {
    const { stdout } = await run('bash', [servicesScript, 'ensure'], { env, timeout: 180_000 });
    const lines = stdout.trim().split('\n');
    // The three services, then the browser the admin page's browser test needs and the compose CLI that
    // validates the compose files.
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual([
      'mysql',
      'rabbitmq',
      'redis',
      'chromium',
      'compose',
    ]);
    expect(lines[0]).toMatch(/^mysql\s+up /);
    expect(lines[1]).toMatch(/^rabbitmq\s+up .*rabbitmq_consistent_hash_exchange rabbitmq_management/);
    expect(lines[2]).toMatch(/^redis\s+up /);
    expect(lines[3]).toMatch(/^chromium\s+(present|installed)/);
    expect(lines[4]).toMatch(/^compose\s+(present|installed|docker compose plugin|missing)/);
  });

  it('starts RabbitMQ again when it was stopped', async () => {
    await run('rabbitmqctl', ['-q', 'stop'], { timeout: 60_000 });
    expect(await rabbitRunning()).toBe(false);
    const { stdout } = await run('bash', [servicesScript, 'ensure'], { env, timeout: 180_000 });
    expect(stdout).toMatch(/^rabbitmq\s+started, up /m);
    expect(await rabbitRunning()).toBe(true);
  });
});
