import { messagingOptionsFromEnv, validateMessagingEnv } from './messaging-env';

const validate = validateMessagingEnv({ port: 3000, database: 'orders' });

describe('validateMessagingEnv', () => {
  it('fills local defaults', () => {
    const env = validate({});
    expect(env.PORT).toBe(3000);
    expect(env.MYSQL_URL).toBe('mysql://messaging:messaging-local@127.0.0.1:3306/orders');
    expect(env.RABBITMQ_URL).toBe('amqp://guest:guest@127.0.0.1:5672');
  });

  it.each([
    ['MYSQL_URL', 'nonsense'],
    ['MYSQL_URL', 'postgres://x@y/z'],
    ['RABBITMQ_URL', 'http://localhost'],
    ['REDIS_URL', '6379'],
    ['SMTP_URL', 'mail.example.com'],
    ['PORT', 'eighty'],
    ['ADMIN_TOKEN', 'short'],
    ['ALERT_DIGEST_WINDOW_MS', '500'],
    ['ALERT_DIGEST_WINDOW_MS', 'soon'],
  ])('rejects %s=%s with one line naming the variable', (name, value) => {
    expect(() => validate({ [name]: value })).toThrow(new RegExp(`^Invalid environment: ${name} `));
  });

  it('sets the digest window from ALERT_DIGEST_WINDOW_MS, 5 min by default', () => {
    const options = (env: Record<string, string>) =>
      messagingOptionsFromEnv(validate(env), { serviceName: 'orders' }).alerting;
    expect(options({})?.digestWindowMs).toBe(300_000);
    expect(options({ ALERT_DIGEST_WINDOW_MS: '15000' })?.digestWindowMs).toBe(15_000);
  });

  it('accepts a cluster list in RABBITMQ_URLS and rejects a bad member', () => {
    expect(validate({ RABBITMQ_URLS: 'amqp://a:5672, amqp://b:5672' }).RABBITMQ_URLS).toContain('amqp://b');
    expect(() => validate({ RABBITMQ_URLS: 'amqp://a:5672,nope' })).toThrow(/RABBITMQ_URLS/);
  });

  it('refuses every local default secret in production', () => {
    const strongProduction = {
      NODE_ENV: 'production',
      MYSQL_URL: 'mysql://orders:s3cret-pass@db:3306/orders',
      RABBITMQ_URL: 'amqp://orders:s3cret-pass@mq:5672',
      ADMIN_TOKEN: 'a-long-random-admin-token-0123456789',
    };
    expect(() => validate({ NODE_ENV: 'production' })).toThrow(
      /ADMIN_TOKEN is the local default; MYSQL_URL uses the local default credentials; RABBITMQ_URL uses the local default credentials/,
    );
    expect(() => validate({ ...strongProduction, MYSQL_URL: 'mysql://root@db:3306/orders' })).toThrow(
      /MYSQL_URL has an empty password/,
    );
    expect(validate(strongProduction).NODE_ENV).toBe('production');
  });
});

describe('Redis Sentinel from the environment', () => {
  it('turns REDIS_SENTINELS and REDIS_SENTINEL_NAME into ioredis sentinel options', () => {
    const env = validate({ REDIS_SENTINELS: 's1:26379, s2:26380', REDIS_SENTINEL_NAME: 'messaging' });
    const options = messagingOptionsFromEnv(env, { serviceName: 'orders' });
    expect(options.redisOptions).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'messaging',
    });
  });

  it('rejects a malformed sentinel list naming the variable', () => {
    expect(() => validate({ REDIS_SENTINELS: 's1' })).toThrow(/^Invalid environment: REDIS_SENTINELS /);
  });
});
