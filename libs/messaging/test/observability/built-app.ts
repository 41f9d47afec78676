import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support';

/** Path of a built app's entry point; builds the apps once when `dist/` is missing (`npm test` builds first). */
export async function builtApp(app: 'producer' | 'consumer'): Promise<string> {
  const main = join(REPO_ROOT, 'dist/apps', app, 'main.js');
  if (!existsSync(main)) await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT });
  return main;
}

/** The JSON log lines (pino) a child process wrote, skipping anything else. */
export function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
