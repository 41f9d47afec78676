import { Socket } from 'node:net';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { INestApplicationContext } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { MESSAGING_REDIS } from '@app/messaging/testing';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { startMessagingApp } from '../publishing/relay-test-kit';

const ns = useTestNamespace('no_delay');

/**
 * amqplib leaves Nagle's algorithm on unless asked: a publish or an ack written while the previous
 * segment is unacknowledged waits for the broker's delayed ACK (up to 40 ms). Every socket the library
 * opens to a service must turn it off; mysql2 and ioredis do by default, the AMQP connection by our
 * option. Read from the `setNoDelay` calls each socket received.
 */
describe('Every service socket of the library has Nagle off', () => {
  const calls: Array<{ socket: Socket; enabled: boolean }> = [];
  let app: INestApplicationContext;

  beforeAll(async () => {
    const original = Socket.prototype.setNoDelay;
    jest.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (this: Socket, enabled?: boolean) {
      calls.push({ socket: this, enabled: enabled ?? true });
      return original.call(this, enabled);
    });
    app = await startMessagingApp(ns, { relay: { enabled: false } });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await app?.close();
  });

  /** Whether every `setNoDelay` call on the open sockets to `url`'s port turned Nagle off; undefined if none. */
  const noDelayTo = (url: string): boolean | undefined => {
    const port = Number(new URL(url).port);
    const sockets = calls.filter(({ socket }) => !socket.destroyed && socket.remotePort === port);
    return sockets.length ? sockets.every(({ enabled }) => enabled) : undefined;
  };

  it('AMQP (golevelup → amqplib): noDelay set by the module', async () => {
    await waitFor(() => app.get(AmqpConnection).managedConnection.isConnected(), {
      what: 'the broker connection',
    });
    expect(noDelayTo(ns.vhost.url)).toBe(true);
  });

  it('MySQL (mysql2) and Redis (ioredis): noDelay by their defaults', async () => {
    await app.get(DataSource).query('SELECT 1');
    await app.get<Redis>(MESSAGING_REDIS).ping();
    expect(noDelayTo(ns.database.url)).toBe(true);
    expect(noDelayTo(ns.redis.url)).toBe(true);
  });
});
