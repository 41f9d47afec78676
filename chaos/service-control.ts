import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, sleep, waitFor } from '../libs/messaging/test/support';

const run = promisify(execFile);

export type SharedService = 'rabbitmq' | 'mariadb';

/**
 * Stops and starts the machine's RabbitMQ and MariaDB the hard way. Every stop is recorded until the
 * matching start succeeded, so `restoreAll()` (called from `finally` and the signal trap) starts exactly
 * what the suite left down.
 */
export class ServiceControl {
  private readonly down = new Set<SharedService>();

  /** SIGKILL of the broker's OS process: no clean shutdown, queues recover from disk. */
  async killRabbitmq(): Promise<void> {
    const pid = await rabbitmqPid();
    this.down.add('rabbitmq');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { what: `broker process ${pid} to end`, timeoutMs: 15_000 });
  }

  async startRabbitmq(): Promise<void> {
    // -detached returns at once and the node registers a few seconds later: poll await_startup.
    await run('rabbitmq-server', ['-detached'], { timeout: 30_000 }).catch(() => undefined);
    await awaitRabbitmq();
    this.down.delete('rabbitmq');
  }

  async stopRabbitmqApp(): Promise<void> {
    this.down.add('rabbitmq');
    await run('rabbitmqctl', ['-q', 'stop_app'], { timeout: 60_000 });
  }

  async startRabbitmqApp(): Promise<void> {
    await run('rabbitmqctl', ['-q', 'start_app'], { timeout: 60_000 });
    await awaitRabbitmq();
    this.down.delete('rabbitmq');
  }

  async stopMariadb(): Promise<void> {
    this.down.add('mariadb');
    await run('mariadb-admin', ['--protocol=socket', '-uroot', 'shutdown'], { timeout: 60_000 });
    await waitFor(async () => !(await mariadbAnswers()), { what: 'MariaDB to stop', timeoutMs: 60_000 });
  }

  async startMariadb(): Promise<void> {
    await run('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd'], {
      timeout: 30_000,
    });
    await waitFor(mariadbAnswers, { what: 'MariaDB to answer', timeoutMs: 90_000, intervalMs: 500 });
    this.down.delete('mariadb');
  }

  /** Starts whatever this suite stopped, then lets scripts/services.sh check all three services. */
  async restoreAll(log: (line: string) => void): Promise<void> {
    for (const service of [...this.down]) {
      log(`restoring ${service}, which the suite stopped`);
      try {
        if (service === 'rabbitmq') await this.restoreRabbitmq();
        else await this.startMariadb();
      } catch (error) {
        log(`could not restore ${service}: ${(error as Error).message}`);
      }
    }
    const { stdout } = await run('bash', [join(REPO_ROOT, 'scripts/services.sh'), 'ensure'], {
      timeout: 300_000,
      env: { ...process.env, MYSQL_URL: '', RABBITMQ_URL: '', REDIS_URL: '' },
    });
    for (const line of stdout.trim().split('\n')) log(`services: ${line}`);
  }

  private async restoreRabbitmq(): Promise<void> {
    // After stop_app the node still runs; after a kill it does not.
    const nodeUp = await run('rabbitmqctl', ['-q', 'ping'], { timeout: 15_000 }).then(
      () => true,
      () => false,
    );
    if (nodeUp) await this.startRabbitmqApp();
    else await this.startRabbitmq();
  }
}

async function rabbitmqPid(): Promise<number> {
  const { stdout } = await run('pgrep', ['-u', 'rabbitmq', '-x', 'beam.smp']);
  const pid = Number(stdout.trim().split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no broker process found: ${stdout}`);
  return pid;
}

async function awaitRabbitmq(): Promise<void> {
  await waitFor(
    async () => {
      await run('rabbitmqctl', ['-q', 'await_startup', '--timeout', '5'], { timeout: 15_000 });
      return true;
    },
    { what: 'RabbitMQ to accept connections', timeoutMs: 120_000, intervalMs: 1000 },
  );
  // The management API (used for queue depths) answers a moment after the node.
  await sleep(500);
}

async function mariadbAnswers(): Promise<boolean> {
  return run('mariadb', ['--protocol=socket', '-uroot', '-e', 'select 1'], { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
