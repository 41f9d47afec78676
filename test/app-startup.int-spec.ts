import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startChild } from '../libs/messaging/test/support';

const apps = ['producer', 'consumer'].map((name) => join(REPO_ROOT, 'dist/apps', name, 'main.js'));

describe('app start-up with bad configuration', () => {
  beforeAll(() => {
    for (const app of apps) {
      if (!existsSync(app)) throw new Error(`${app} is missing: run \`npm run build\` first (npm test does)`);
    }
  });

  it.each(apps)('%s stops within 5 s with one line naming MYSQL_URL when it is nonsense', async (app) => {
    const started = Date.now();
    const child = startChild(app, { MYSQL_URL: 'nonsense', NODE_ENV: 'development' });
    const code = await child.exited;
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(child.output().trim().split('\n')).toEqual([
      expect.stringMatching(/failed to start: Invalid environment: MYSQL_URL must be a mysql:\/\/ URL/),
    ]);
  });

  it('names the variable for each kind of bad value', async () => {
    const cases: Array<[string, string]> = [
      ['RABBITMQ_URL', 'localhost:5672'],
      ['REDIS_URL', 'http://redis'],
      ['PORT', 'not-a-port'],
    ];
    for (const [name, value] of cases) {
      const child = startChild(apps[0], { [name]: value });
      expect(await child.exited).toBe(1);
      expect(child.output()).toMatch(new RegExp(`Invalid environment: ${name} `));
    }
  });
});
