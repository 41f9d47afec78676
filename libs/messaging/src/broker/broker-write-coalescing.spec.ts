import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { BrokerWriteCoalescing } from './broker-write-coalescing';

/** golevelup's managed connection as far as BrokerWriteCoalescing reads it: one connected socket. */
function fakeAmqp() {
  const socket = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const original = socket.write;
  const managed = Object.assign(new EventEmitter(), { connection: { connection: { stream: socket } } });
  return { amqp: { managedConnection: managed } as unknown as AmqpConnection, socket, original, managed };
}

describe('BrokerWriteCoalescing', () => {
  it('leaves the broker socket alone by default (sockets.coalesceWrites off)', () => {
    const { amqp, socket, original, managed } = fakeAmqp();
    new BrokerWriteCoalescing(amqp, { coalesceWrites: false }).onModuleInit();
    expect(socket.write).toBe(original);
    expect(managed.listenerCount('connect')).toBe(0);
  });

  it('coalesces the connected socket and each reconnect when opted in', () => {
    const { amqp, socket, original, managed } = fakeAmqp();
    new BrokerWriteCoalescing(amqp, { coalesceWrites: true }).onModuleInit();
    expect(socket.write).not.toBe(original);
    expect(managed.listenerCount('connect')).toBe(1);
  });
});
