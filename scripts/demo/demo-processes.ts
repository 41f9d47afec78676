import { ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';

/** The processes the demo started, and only those: Ctrl-C stops exactly these. */
export class DemoProcesses {
  private readonly children: Array<{ name: string; process: ChildProcess }> = [];

  start(name: string, command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `[${name}] `;
    const forward = (chunk: Buffer) => {
      if (process.env.DEMO_VERBOSE) process.stdout.write(chunk.toString().replace(/^/gm, prefix));
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', (chunk: Buffer) => {
      forward(chunk);
      lastErrors.set(name, chunk.toString().slice(-2000));
    });
    child.on('exit', (code, signal) => {
      if (!this.stopping) {
        process.stderr.write(`${prefix}exited (${signal ?? code})\n${lastErrors.get(name) ?? ''}\n`);
      }
    });
    this.children.push({ name, process: child });
    return child;
  }

  private stopping = false;

  /**
   * Stops the processes started after the first one, then the first: the apps send their shutdown
   * digests through the mail catcher, which must still be up (the demo starts it first).
   */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const [first, ...rest] = this.children;
    await this.stop(rest);
    if (first) await this.stop([first]);
  }

  private async stop(children: Array<{ process: ChildProcess }>): Promise<void> {
    await Promise.all(
      children.map(
        ({ process: child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

const lastErrors = new Map<string, string>();

export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
