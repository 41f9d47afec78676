/**
 * `npm run demo`: both apps and a mail catcher on the local services, a scripted scenario, then the URLs.
 * Ctrl-C stops everything this script started, and only that. DEMO_EXIT=1 exits after the scenario.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoProcesses, portInUse } from './demo/demo-processes';
import { runScenario, waitUntil } from './demo/demo-scenario';

const root = join(__dirname, '..');
const ADMIN_TOKEN = process.env.ADMIN_TOKEN ?? 'local-admin-token';
const ports = { producer: 3000, consumer: 3001, smtp: 1025, mailWeb: 1080 };

/**
 * maildev's command-line script as its package.json declares it: maildev 3 is an ES module package
 * whose `exports` hide every other path, so neither `require.resolve` nor a fixed subpath reaches it.
 */
function maildevCli(): string {
  const dir = join(root, 'node_modules', 'maildev');
  const { bin } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  return join(dir, bin.maildev);
}

async function main(): Promise<void> {
  const processes = new DemoProcesses();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping the demo processes...\n');
    await processes.stopAll();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  for (const [name, port] of Object.entries(ports)) {
    if (await portInUse(port))
      throw new Error(`port ${port} (${name}) is already in use: stop what runs there first`);
  }

  process.stdout.write('starting mail catcher, producer (orders) and consumer (billing)...\n');
  processes.start('maildev', process.execPath, [
    maildevCli(),
    '--smtp',
    String(ports.smtp),
    '--web',
    String(ports.mailWeb),
    '--ip',
    '127.0.0.1',
    '--silent',
  ]);
  const common = {
    SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
    ADMIN_TOKEN,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // The digest window is kept in the database across runs: with the 5 min default, a rerun soon after
    // would get its poison message only in the digest, minutes later. 15 s shows either email promptly.
    ALERT_DIGEST_WINDOW_MS: process.env.ALERT_DIGEST_WINDOW_MS ?? '15000',
  };
  processes.start('producer', process.execPath, [join(root, 'dist/apps/producer/main.js')], {
    ...common,
    PORT: String(ports.producer),
  });
  processes.start('consumer', process.execPath, [join(root, 'dist/apps/consumer/main.js')], {
    ...common,
    PORT: String(ports.consumer),
  });
  for (const [name, port] of Object.entries(ports)) {
    await waitUntil(`${name} on port ${port}`, () => portInUse(port), 60_000);
  }

  const urls = {
    producer: `http://localhost:${ports.producer}`,
    consumer: `http://localhost:${ports.consumer}`,
    mailApi: `http://localhost:${ports.mailWeb}`,
    adminToken: ADMIN_TOKEN,
  };
  try {
    await runScenario(urls);
  } catch (error) {
    process.stderr.write(
      `\ndemo scenario failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    await stop(1);
    return;
  }

  process.stdout.write(`
ready. Open:
  producer API       ${urls.producer}/orders          (POST {"customerId":"x","amountCents":100})
  OpenAPI            ${urls.producer}/admin/api/docs
  billing ledger     ${urls.consumer}/ledger
  admin (producer)   ${urls.producer}/admin           token: ${ADMIN_TOKEN}
  admin (billing)    ${urls.consumer}/admin           token: ${ADMIN_TOKEN}
  mail inbox         ${urls.mailApi}
  RabbitMQ           http://localhost:15672           guest / guest
  metrics / health   ${urls.consumer}/metrics  ${urls.consumer}/health/ready
Press Ctrl-C to stop the demo.
`);
  if (process.env.DEMO_EXIT) await stop(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
