import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/**
 * The README's first quick-start command, as a newcomer runs it: `npm run demo` with the mail catcher,
 * both built apps and the scripted scenario, exiting after it (DEMO_EXIT=1). demo.e2e-spec.ts tests the
 * apps; this one the script around them, which broke unnoticed once when maildev 3 moved its CLI and
 * its REST API. In the in-band project: the demo takes fixed ports (3000, 3001, 1025, 1080).
 */
describe('npm run demo', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    // Only if the test timed out: the demo stops its own processes on SIGTERM.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });

  it('runs the scenario to the alert email and exits 0', async () => {
    child = spawn('npm', ['run', 'demo'], {
      cwd: ROOT,
      env: { ...process.env, DEMO_EXIT: '1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child!.on('exit', resolve));

    if (code !== 0) throw new Error(`npm run demo exited ${code}:\n${output.slice(-4000)}`);
    expect(output).toMatch(
      /2\/4 waiting for billing[\s\S]*1:order\.created -> 2:order\.paid -> 3:order\.shipped/,
    );
    expect(output).toMatch(/dead letter #\d+ \(reason handler-error\)/);
    // At once, or in the digest when an earlier run's failure of the class opened a window that is still open.
    expect(output).toMatch(/email: "\[billing\] (Message parked|Digest: \d+ more failures?): handler-error/);
    expect(output).toContain('ready. Open:');
  }, 300_000);
});
