import type { Logger } from '@nestjs/common';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { AckBatcher } from './ack-batcher';

/** How a delivery leaves its queue, applied to the acks of the channel it came on. */
export type Settle = (acks: AckBatcher) => void;

export const ack =
  (message: ConsumeMessage): Settle =>
  (acks) =>
    acks.ack(message);
export const reject =
  (message: ConsumeMessage): Settle =>
  (acks) =>
    acks.nack(message, false);
export const requeue =
  (message: ConsumeMessage): Settle =>
  (acks) =>
    acks.nack(message, true);

/**
 * Settles a subscription's deliveries on the channel each came on, through one AckBatcher per channel:
 * a delivery tag means something only on its own channel.
 */
export class Settlements {
  private readonly ackBatchers = new WeakMap<ConfirmChannel, AckBatcher>();

  constructor(private readonly logger: Logger) {}

  /** Called for every delivery in the order its channel received them. */
  received(channel: ConfirmChannel, message: ConsumeMessage): void {
    this.acksOf(channel).received(message);
  }

  /** A settle on a channel that has since closed is harmless: the broker redelivers, dedupe absorbs it. */
  settle(channel: ConfirmChannel, settle: Settle): void {
    try {
      settle(this.acksOf(channel));
    } catch (error) {
      this.settleFailed(error);
    }
  }

  /** Sends the acks still gathered for the next tick; shutdown calls it before the channel closes. */
  flush(channel: ConfirmChannel): void {
    this.ackBatchers.get(channel)?.flush();
  }

  private acksOf(channel: ConfirmChannel): AckBatcher {
    let acks = this.ackBatchers.get(channel);
    if (!acks) {
      acks = new AckBatcher(channel, (error) => this.settleFailed(error));
      this.ackBatchers.set(channel, acks);
    }
    return acks;
  }

  private settleFailed(error: unknown): void {
    this.logger.warn({ msg: 'could not settle delivery (channel closed)', error: String(error) });
  }
}
