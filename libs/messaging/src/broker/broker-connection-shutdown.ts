import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';

/**
 * Closes this app's own broker connection at shutdown. golevelup closes the connections of a registry
 * shared by the whole process and keyed by connection name: with two apps in one process (tests, a
 * worker beside an API) the second app's connection replaces the first one's there, so the first is
 * never closed and keeps retrying to connect every second for the life of the process. Closing twice
 * is harmless (amqp-connection-manager ignores a second close).
 */
@Injectable()
export class BrokerConnectionShutdown implements OnApplicationShutdown {
  constructor(private readonly amqp: AmqpConnection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.amqp.managedConnection.close();
  }
}
