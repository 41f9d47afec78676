import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait-for';

export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

export interface ChildApp {
  process: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves when a line matching `pattern` appeared. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<number | NodeJS.Signals>;
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

/**
 * Starts a node script (built app or a TypeScript fixture run through @swc-node) as a child process with
 * the given environment; its output is kept for assertions and shown when a test fails.
 */
export function startChild(script: string, env: Record<string, string>, args: string[] = []): ChildApp {
  const isTs = script.endsWith('.ts');
  const nodeArgs = isTs ? ['-r', require.resolve('./register-ts'), script, ...args] : [script, ...args];
  const child = spawn(process.execPath, nodeArgs, {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code ?? 0)),
  );
  return {
    process: child,
    output: () => output,
    exited,
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      await waitFor(() => pattern.test(output) || child.exitCode !== null, {
        what: `output ${pattern}`,
        timeoutMs,
      });
      if (!pattern.test(output))
        throw new Error(`${script} exited before printing ${pattern}:\n${output.slice(-3000)}`);
    },
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
