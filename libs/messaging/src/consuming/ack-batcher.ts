import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * Acks of one channel, gathered for a tick and sent as few frames as AMQP allows: the settled run at
 * the front of the unsettled deliveries goes as one `ack(multiple)`, any ack behind a delivery still
 * being handled goes alone. `multiple` can only cover the front run: it would ack everything up to its
 * tag, handled or not. Spring AMQP batches acks the same way (`batchSize` / `AcknowledgeMode.AUTO`).
 */
export class AckBatcher {
  /** Deliveries of this channel not yet passed by a flush, in delivery-tag order. */
  private unsettled: ConsumeMessage[] = [];
  private head = 0;
  /** Delivery tags already settled here (acked or nacked). */
  private readonly settled = new Set<number>();
  private readonly acks: ConsumeMessage[] = [];
  private flushScheduled = false;

  constructor(
    private readonly channel: Channel,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Called for every delivery in the order the channel received them. */
  received(message: ConsumeMessage): void {
    this.unsettled.push(message);
  }

  ack(message: ConsumeMessage): void {
    this.acks.push(message);
    this.markSettled(message);
  }

  /**
   * Nacks go out at once, one by one (`requeue` false: into the queue's dead-letter exchange). Throws
   * when the channel is closed; the delivery then counts as unsettled, as the broker sees it.
   */
  nack(message: ConsumeMessage, requeue: boolean): void {
    this.channel.nack(message, false, requeue);
    this.markSettled(message);
  }

  private markSettled(message: ConsumeMessage): void {
    this.settled.add(message.fields.deliveryTag);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => this.flush());
  }

  /** Sends what is gathered now; shutdown calls it before closing the channel. */
  flush(): void {
    this.flushScheduled = false;
    let upTo: ConsumeMessage | undefined;
    const pending = new Set(this.acks);
    this.acks.length = 0;
    while (this.head < this.unsettled.length) {
      const front = this.unsettled[this.head];
      if (!this.settled.delete(front.fields.deliveryTag)) break;
      this.head++;
      if (pending.delete(front)) upTo = front;
    }
    this.compact();
    try {
      if (upTo) this.channel.ack(upTo, true);
      for (const message of pending) this.channel.ack(message);
    } catch (error) {
      // The channel closed: the broker redelivers whatever was not acked, and dedupe absorbs it.
      this.onError(error);
    }
  }

  private compact(): void {
    if (this.head === this.unsettled.length) this.unsettled = [];
    else if (this.head >= 1024) this.unsettled = this.unsettled.slice(this.head);
    else return;
    this.head = 0;
  }
}
