import { DEFAULT_ADMIN_TOKEN } from '@app/messaging/testing';
import { startChild } from '../support';
import { builtApp } from './built-app';

const LOCAL = {
  MYSQL_URL: 'mysql://messaging:messaging-local@127.0.0.1:3306/orders',
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
  ADMIN_TOKEN: DEFAULT_ADMIN_TOKEN,
};

describe('the built producer refuses local default secrets with NODE_ENV=production', () => {
  it('exits non-zero naming ADMIN_TOKEN, MYSQL_URL and RABBITMQ_URL', async () => {
    const child = startChild(await builtApp('producer'), { NODE_ENV: 'production', ...LOCAL });
    const code = await child.exited;
    expect(code).toBe(1);
    const output = child.output();
    expect(output).toContain('Refusing to start with NODE_ENV=production');
    expect(output).toContain('ADMIN_TOKEN is the local default');
    expect(output).toContain('MYSQL_URL uses the local default credentials');
    expect(output).toContain('RABBITMQ_URL uses the local default credentials');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('names an empty database password and each default broker URL of a cluster list', async () => {
    const child = startChild(await builtApp('producer'), {
      NODE_ENV: 'production',
      MYSQL_URL: 'mysql://orders@db.internal:3306/orders',
      RABBITMQ_URL: 'amqp://orders:s3cret-broker@mq.internal:5672',
      RABBITMQ_URLS: 'amqp://orders:s3cret-broker@mq1.internal:5672,amqp://guest:guest@mq2.internal:5672',
      ADMIN_TOKEN: 'a-long-production-admin-token-4f9c',
    });
    expect(await child.exited).toBe(1);
    const output = child.output();
    expect(output).toContain('MYSQL_URL has an empty password');
    expect(output).toContain('RABBITMQ_URLS uses the local default credentials');
    expect(output).not.toContain('ADMIN_TOKEN');
  });

  it('starts with the same defaults outside production (the refusal is what stopped it)', async () => {
    const child = startChild(await builtApp('producer'), {
      NODE_ENV: 'development',
      ...LOCAL,
      MYSQL_URL: 'mysql://messaging:messaging-local@127.0.0.1:3306/t_no_such_database_for_refusal',
    });
    const code = await child.exited;
    // Gets past validation and fails later on the missing database: a different error, not the refusal.
    expect(child.output()).not.toContain('Refusing to start');
    expect(code).toBe(1);
  });
});
