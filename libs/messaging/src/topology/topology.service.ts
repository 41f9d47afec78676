import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable } from '@nestjs/common';
import type { ConfirmChannel } from 'amqplib';
import { InjectOptions } from '../messaging.constants';
import type { TopologyOptions } from './topology.options';
import { TopologyDeclarationError } from './topology-declaration.error';
import { topologyNames, TopologyNames } from './topology-names';
import { applyTopologyPlan, TopologyPlan } from './topology-plan';
import { eventsExchangePlan, orderedStreamPlan } from './topology-plans';

/**
 * Declares broker objects. The relay never declares: a publishing app calls `declareEventsExchange()`
 * and `declareOrderedStream(stream)` at start-up; subscriptions declare their own queues.
 */
@Injectable()
export class TopologyService {
  readonly names: TopologyNames;

  constructor(
    private readonly amqp: AmqpConnection,
    @InjectOptions('topology') options: TopologyOptions,
  ) {
    this.names = topologyNames(options.prefix);
  }

  /** The topic exchange for unordered events. Idempotent. */
  async declareEventsExchange(): Promise<string> {
    await this.declare(eventsExchangePlan(this.names));
    return this.names.eventsExchange;
  }

  /** The exchange keyed messages of `stream` are published to. Idempotent. */
  async declareOrderedStream(stream: string): Promise<string> {
    await this.declare(orderedStreamPlan(this.names, stream));
    return this.names.orderedExchange(stream);
  }

  /** Applies a plan on a short-lived channel, waiting for the broker connection if it is not up yet. */
  async declare(plan: TopologyPlan): Promise<void> {
    let failure: unknown;
    const wrapper = this.amqp.managedConnection.createChannel({
      confirm: true,
      setup: (channel: ConfirmChannel) =>
        applyTopologyPlan(channel, plan).catch((error: unknown) => {
          // Returning normally: a failed setup is retried forever by the wrapper; report it instead.
          failure = error;
        }),
    });
    try {
      await wrapper.waitForConnect();
    } finally {
      await wrapper.close();
    }
    if (failure) throw new TopologyDeclarationError(failure);
  }
}
