import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');

/**
 * The compose CLI that can validate without an engine: Docker's compose plugin, or Debian's
 * `docker-compose` package (`scripts/services.sh ensure` installs it when it runs as root).
 */
function composeCli(): string[] | null {
  for (const cli of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(cli[0], [...cli.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return cli;
  }
  return null;
}

const cli = composeCli();
const config = (files: string[]) =>
  spawnSync(cli![0], [...cli!.slice(1), ...files.flatMap((f) => ['-f', f]), 'config', '-q'], {
    encoding: 'utf8',
    cwd: root,
  });

const SETS = [
  ['docker-compose.yml'],
  ['docker-compose.yml', 'docker-compose.cluster.yml'],
  ['docker-compose.yml', 'docker-compose.mysql.yml'],
];

// Reported as skipped, with the reason, where no CLI exists: never as passed.
const describeWithCli = cli ? describe : describe.skip;
describeWithCli(
  `compose files through \`${cli?.join(' ') ?? 'docker compose'} config -q\`${cli ? '' : ' (skipped: neither the docker compose plugin nor docker-compose is installed; run scripts/services.sh ensure as root)'}`,
  () => {
    it.each(SETS.map((files) => [files.join(' + '), files]))('%s is valid', (_name, files) => {
      const result = config(files);
      expect(result.stderr.trim()).toBe('');
      expect(result.status).toBe(0);
    });

    it('rejects a misspelled key, so a pass above means something', () => {
      const dir = mkdtempSync(join(tmpdir(), 'compose-'));
      try {
        const broken = join(dir, 'docker-compose.yml');
        const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
        writeFileSync(broken, text.replace('    healthcheck:', '    helthcheck:'));
        const result = config([broken]);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/helthcheck/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
