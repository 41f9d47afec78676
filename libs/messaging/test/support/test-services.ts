/** Where the real services of the test run are; the same env URLs as the apps override the local defaults. */
export const TEST_SERVICES = {
  /** MySQL server URL without a database; the user may create `t_*` databases (scripts/services.sh). */
  mysqlServerUrl: serverUrl(process.env.MYSQL_URL ?? 'mysql://messaging:messaging-local@127.0.0.1:3306'),
  rabbitmqServerUrl: serverUrl(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672'),
  rabbitmqManagementUrl: process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
};

function serverUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '';
  return parsed.toString().replace(/\/$/, '');
}

/** `label_<random>`: unique per test file and run, valid as a database, vhost and key prefix. */
export function uniqueName(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 24);
  return `t_${clean}_${Math.random().toString(36).slice(2, 8)}`;
}
