import { Logger } from '@nestjs/common';
import { DeliveryPipeline, DeliveryPipelineSetup } from './delivery-pipeline';
import { Settlements } from './settlements';
import { SubscriptionChannel, SubscriptionChannelSetup } from './subscription-channel';

export interface ReliableConsumerSetup extends DeliveryPipelineSetup, SubscriptionChannelSetup {}

/**
 * One subscription: its channel (`SubscriptionChannel`) hands every delivery to the pipeline
 * (`DeliveryPipeline`), which settles it exactly once on the channel it came on (`Settlements`).
 * What the explorer and the Nest transport start and stop.
 */
export class ReliableConsumer {
  private readonly settlements: Settlements;
  private readonly channel: SubscriptionChannel;
  private readonly pipeline: DeliveryPipeline;
  /** Resolves once the subscription consumes (its queues declared). */
  readonly ready: Promise<void>;

  constructor(private readonly setup: ReliableConsumerSetup) {
    const logger = new Logger(`ReliableConsumer:${setup.subscription.consumer}`);
    this.settlements = new Settlements(logger);
    this.channel = new SubscriptionChannel(
      setup,
      (channel, queue, message) => this.pipeline.accept(channel, queue, message),
      logger,
    );
    this.pipeline = new DeliveryPipeline(setup, {
      settlements: this.settlements,
      isClosed: (channel) => this.channel.isClosed(channel),
      logger,
    });
    this.ready = this.channel.ready;
  }

  get consumer(): string {
    return this.setup.subscription.consumer;
  }

  get queues(): string[] {
    return this.setup.queues;
  }

  start(): void {
    this.channel.start();
  }

  /** Graceful shutdown: stop taking deliveries, let in-flight ones finish and settle, close. */
  async stop(): Promise<void> {
    this.pipeline.close();
    const consuming = await this.channel.cancel();
    await this.pipeline.drained();
    // The last acks are still gathered for the next tick: send them before the channel closes.
    if (consuming) this.settlements.flush(consuming);
    await this.channel.close();
  }
}
