import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, waitFor } from '../../libs/messaging/test/support';
import {
  createMessagingRedis,
  messagingOptionsFromEnv,
  resolveMessagingOptions,
  validateMessagingEnv,
} from '@app/messaging/testing';

const MASTER_NAME = 'messaging';

/**
 * Redis Sentinel on loopback (redis-server --sentinel, same binary as Redis): a master, a replica and one
 * sentinel of this test's own. An ioredis client configured as docs/scaling.md describes, with the
 * library's fail-fast settings, follows a SIGKILLed master to the promoted replica.
 */
describe('Redis Sentinel (private master, replica and sentinel on free loopback ports)', () => {
  jest.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-'));
  const servers: ChildProcess[] = [];
  let ports: { master: number; replica: number; sentinel: number };

  const start = (args: string[]) => {
    const server = spawn('redis-server', args, { stdio: 'ignore' });
    servers.push(server);
    return server;
  };
  const client = (port: number) => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });

  afterAll(async () => {
    // Awaited, so that the directory goes after the servers writing into it and none outlives the suite.
    const running = servers.filter((server) => server.exitCode === null && server.signalCode === null);
    const exited = running.map((server) => once(server, 'exit'));
    for (const server of running) server.kill('SIGKILL');
    await Promise.all(exited);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps dedupe marks writable after the master is SIGKILLed: the client follows the promoted replica', async () => {
    ports = { master: await freePort(), replica: await freePort(), sentinel: await freePort() };
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const master = start(['--port', String(ports.master), ...common]);
    start(['--port', String(ports.replica), ...common, '--replicaof', '127.0.0.1', String(ports.master)]);
    const sentinelConf = join(dir, 'sentinel.conf');
    writeFileSync(
      sentinelConf,
      [
        `port ${ports.sentinel}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${ports.master} 1`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 5000`,
        '',
      ].join('\n'),
    );
    start([sentinelConf, '--sentinel']);
    const replicaProbe = client(ports.replica);
    await waitFor(async () => /master_link_status:up/.test(await replicaProbe.info('replication')), {
      what: 'the replica to sync with the master',
      timeoutMs: 20_000,
    });
    replicaProbe.disconnect();
    // A sentinel can only promote a replica it has discovered (through the master's INFO).
    const sentinel = client(ports.sentinel);
    await waitFor(
      async () => ((await sentinel.call('SENTINEL', 'REPLICAS', MASTER_NAME)) as unknown[]).length === 1,
      { what: 'the sentinel to discover the replica', timeoutMs: 30_000, intervalMs: 250 },
    );
    sentinel.disconnect();

    // The library's own client, configured the way an app's environment configures it.
    const env = validateMessagingEnv({ port: 3000, database: 'orders' })({
      REDIS_SENTINELS: `127.0.0.1:${ports.sentinel}`,
      REDIS_SENTINEL_NAME: MASTER_NAME,
    });
    const options = resolveMessagingOptions(messagingOptionsFromEnv(env, { serviceName: 'sentinel-test' }));
    const redis = createMessagingRedis(options);
    // Connection errors while the master is gone are expected; the assertions below are the verdict.
    redis.on('error', () => undefined);
    try {
      await redis.set('dedupe:before', 'done', 'EX', 60);
      // Replication is asynchronous: a mark the master acknowledged but had not yet sent to the replica
      // dies with it (docs/scaling.md). WAIT returns once the replica has it, so what is checked below is
      // the client following the failover, not the replication race.
      expect(await redis.wait(1, 5_000)).toBe(1);
      master.kill('SIGKILL');

      const written = await waitFor(
        () =>
          redis.set('dedupe:after', 'done', 'EX', 60).then(
            (reply) => reply === 'OK',
            () => false,
          ),
        { what: 'a write through the sentinel-promoted master', timeoutMs: 30_000, intervalMs: 250 },
      );

      expect(written).toBe(true);
      expect(await redis.config('GET', 'port')).toEqual(['port', String(ports.replica)]);
      expect(await redis.get('dedupe:before')).toBe('done');
    } finally {
      redis.disconnect();
    }
  });
});
