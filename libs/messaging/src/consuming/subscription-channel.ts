import type { Logger } from '@nestjs/common';
import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { applyTopologyPlan, TopologyPlan } from '../topology/topology-plan';

/** How often a consuming channel re-asserts its topology (a deleted exchange, queue or binding comes back). */
export const TOPOLOGY_RECHECK_INTERVAL_MS = 15_000;
/** Grace for a reconnect to bring a new channel before a closed one is replaced by hand. */
const CHANNEL_REOPEN_DELAY_MS = 1000;

export interface SubscriptionChannelSetup {
  /** Queues consumed: one work queue, or the partition queues of an ordered stream. */
  queues: string[];
  plan: TopologyPlan;
  prefetch: number;
  openChannel: (setup: (channel: ConfirmChannel) => Promise<void>) => ChannelWrapper;
  /** Whether the shared broker connection is up (then a closed channel will not come back by itself). */
  isConnected: () => boolean;
}

/** Where the channel hands each delivery; must not throw (amqplib would kill the connection). */
export type DeliverTo = (channel: ConfirmChannel, queue: string, message: ConsumeMessage) => void;

/**
 * The life of one subscription's channel: declares its topology, consumes its queues, keeps them
 * declared and consumed while the broker deletes things under it, and replaces a channel that a
 * channel error closed. What happens to a delivery is the `deliver` callback's business.
 */
export class SubscriptionChannel {
  private wrapper?: ChannelWrapper;
  private active?: { channel: ConfirmChannel; consumerTags: string[] };
  /** The channel most recently handed to setup, consuming or still declaring. */
  private latestChannel?: ConfirmChannel;
  private readonly closedChannels = new WeakSet<ConfirmChannel>();
  private closing = false;
  private readyResolve!: () => void;
  /** Resolves once the first channel consumes every queue. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(
    private readonly setup: SubscriptionChannelSetup,
    private readonly deliver: DeliverTo,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.wrapper = this.setup.openChannel((channel) => this.onChannel(channel));
    this.wrapper.on('error', (error: Error) =>
      this.logger.error({ msg: 'subscription channel failed', error: error.message }),
    );
  }

  /** Whether the channel closed: the broker gives its unsettled deliveries to the next one. */
  isClosed(channel: ConfirmChannel): boolean {
    return this.closedChannels.has(channel);
  }

  /** Shutdown, first step: no new deliveries, no replaced channel. Returns the channel still consuming. */
  async cancel(): Promise<ConfirmChannel | undefined> {
    this.closing = true;
    const active = this.active;
    if (!active) return undefined;
    await Promise.allSettled(active.consumerTags.map((tag) => active.channel.cancel(tag)));
    return active.channel;
  }

  async close(): Promise<void> {
    await this.wrapper?.close();
  }

  private async onChannel(channel: ConfirmChannel): Promise<void> {
    this.latestChannel = channel;
    this.watch(channel);
    await applyTopologyPlan(channel, this.setup.plan);
    await channel.prefetch(this.setup.prefetch);
    const consumerTags: string[] = [];
    for (const queue of this.setup.queues) consumerTags.push(await this.subscribe(channel, queue));
    this.active = { channel, consumerTags };
    this.readyResolve();
  }

  private async subscribe(channel: ConfirmChannel, queue: string): Promise<string> {
    const { consumerTag } = await channel.consume(queue, (message) =>
      this.onMessage(channel, queue, message),
    );
    return consumerTag;
  }

  /**
   * The wrapper gives a new channel only after a reconnect; a channel closed by a channel error (a
   * 404 or 406) would leave the subscription idle for good, so it is replaced here. The periodic
   * re-assertion brings back an exchange, queue or binding deleted while the channel stays open.
   */
  private watch(channel: ConfirmChannel): void {
    const recheck = setInterval(() => {
      applyTopologyPlan(channel, this.setup.plan).catch((error: unknown) =>
        this.logger.warn({ msg: 'topology re-assertion failed', error: String(error) }),
      );
    }, TOPOLOGY_RECHECK_INTERVAL_MS);
    recheck.unref();
    channel.once('close', () => {
      this.closedChannels.add(channel);
      clearInterval(recheck);
      if (!this.closing) setTimeout(() => this.replaceIfIdle(channel), CHANNEL_REOPEN_DELAY_MS).unref();
    });
  }

  private replaceIfIdle(closed: ConfirmChannel): void {
    if (this.closing || this.latestChannel !== closed || !this.setup.isConnected()) return;
    this.logger.warn({ msg: 'subscription channel closed while connected; opening a new one' });
    const previous = this.wrapper;
    this.start();
    void previous?.close().catch(() => undefined);
  }

  /** A queue deleted under us cancels the consumer: declare it again and consume it again. */
  private async resubscribe(channel: ConfirmChannel, queue: string): Promise<void> {
    await applyTopologyPlan(channel, this.setup.plan);
    const consumerTag = await this.subscribe(channel, queue);
    this.active?.consumerTags.push(consumerTag);
    this.logger.warn({ msg: 'consuming again after a broker cancel', queue });
  }

  /** Never throws: a throw inside an amqplib consume callback would kill the connection. */
  private onMessage(channel: ConfirmChannel, queue: string, message: ConsumeMessage | null): void {
    if (message) return this.deliver(channel, queue, message);
    this.logger.warn({ msg: 'consumer cancelled by the broker', queue });
    if (this.closing) return;
    // A failure here closed the channel; the close watch replaces it.
    this.resubscribe(channel, queue).catch((error: unknown) =>
      this.logger.error({ msg: 'could not consume again after a cancel', queue, error: String(error) }),
    );
  }
}
