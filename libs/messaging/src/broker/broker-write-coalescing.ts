import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { ChannelModel } from 'amqplib';
import type { Writable } from 'node:stream';
import { InjectOptions } from '../messaging.constants';
import { coalesceSocketWrites } from './coalesce-socket-writes';
import type { SocketOptions } from './socket.options';

/**
 * With `sockets.coalesceWrites`, applies `coalesceSocketWrites` to golevelup's broker connection, and
 * again after each reconnect.
 */
@Injectable()
export class BrokerWriteCoalescing implements OnModuleInit {
  constructor(
    private readonly amqp: AmqpConnection,
    @InjectOptions('sockets') private readonly sockets: SocketOptions,
  ) {}

  onModuleInit(): void {
    if (!this.sockets.coalesceWrites) return;
    const managed = this.amqp.managedConnection;
    managed.on('connect', ({ connection }: { connection: ChannelModel }) => this.apply(connection));
    if (managed.connection) this.apply(managed.connection);
  }

  private apply(connection: ChannelModel): void {
    // amqplib keeps its socket on the inner connection; not part of its typings.
    const socket = (connection as unknown as { connection?: { stream?: Writable } }).connection?.stream;
    if (socket) coalesceSocketWrites(socket);
  }
}
