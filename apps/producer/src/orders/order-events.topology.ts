import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TopologyService } from '@app/messaging';
import { ORDER_EVENTS_STREAM } from './order-events';

/**
 * Declares the exchange the order events are published to. Not awaited by start-up: with the broker
 * down the API still takes orders (they wait in the outbox) and the declaration completes on connect.
 */
@Injectable()
export class OrderEventsTopology implements OnApplicationBootstrap {
  private readonly logger = new Logger(OrderEventsTopology.name);

  constructor(private readonly topology: TopologyService) {}

  onApplicationBootstrap(): void {
    this.topology.declareOrderedStream(ORDER_EVENTS_STREAM).then(
      (exchange) => this.logger.log({ msg: 'order events exchange declared', exchange }),
      (error: unknown) => this.logger.error({ msg: 'order events exchange not declared', err: error }),
    );
  }
}
