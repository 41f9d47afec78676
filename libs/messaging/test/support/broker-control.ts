import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/**
 * Stops and starts the local RabbitMQ application (the Erlang node stays up). Fault tests call
 * `startRabbitApp` in `finally`, so the broker is back even when the test fails.
 */
export async function stopRabbitApp(): Promise<void> {
  await run('rabbitmqctl', ['-q', 'stop_app'], { timeout: 60_000 });
}

export async function startRabbitApp(): Promise<void> {
  await run('rabbitmqctl', ['-q', 'start_app'], { timeout: 60_000 });
  await waitFor(
    async () => {
      await run('rabbitmqctl', ['-q', 'await_startup', '--timeout', '5'], { timeout: 10_000 });
      return true;
    },
    { what: 'RabbitMQ to accept connections', timeoutMs: 60_000, intervalMs: 500 },
  );
}
