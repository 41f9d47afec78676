/** Compact the slots once this many answered ones sit before the oldest unanswered publish. */
const COMPACT_AFTER = 1024;

/**
 * The publishes awaiting the broker's answer on one confirm channel, by delivery tag: the channel's
 * n-th publish has tag n, and the broker acks or nacks one tag, or with `multiple` every tag up to it,
 * in any order. Fed from the channel's `ack` and `nack` events, it hands each publish to `answer` once.
 * amqplib can do this itself, but only through a callback per publish: a closure and its context per
 * message, alive until the confirm, long enough at thousands a second to be promoted and left to the
 * old generation (docs/performance.md, relay RSS).
 */
export class ChannelConfirms<P> {
  private slots: Array<P | null> = [];
  /** Index in `slots` of the oldest publish not answered yet. */
  private head = 0;
  /** Delivery tag of `slots[0]`. */
  private firstTag = 1;

  constructor(private readonly answer: (publish: P, error: Error | null) => void) {}

  /** Publishes still awaiting an answer, or behind one that is. */
  get held(): number {
    return this.slots.length - this.head;
  }

  /** Call before each publish on the channel, in publish order: it gets the next delivery tag. */
  push(publish: P): void {
    this.slots.push(publish);
  }

  /** The broker's ack (`error` null) or nack of `tag`, and with `multiple` of every earlier tag. */
  confirm(tag: number, multiple: boolean, error: Error | null): void {
    const index = tag - this.firstTag;
    if (index < this.head || index >= this.slots.length) return;
    for (let i = multiple ? this.head : index; i <= index; i++) this.answerAt(i, error);
    while (this.head < this.slots.length && this.slots[this.head] === null) this.head++;
    if (this.head >= COMPACT_AFTER) this.compact();
  }

  /** The channel closed: every publish not answered gets `error`. */
  close(error: Error): void {
    const open = this.slots;
    this.slots = [];
    this.firstTag += open.length;
    const from = this.head;
    this.head = 0;
    for (let i = from; i < open.length; i++) {
      const publish = open[i];
      if (publish !== null) this.answer(publish, error);
    }
  }

  private answerAt(index: number, error: Error | null): void {
    const publish = this.slots[index];
    if (publish === null) return;
    this.slots[index] = null;
    this.answer(publish, error);
  }

  private compact(): void {
    this.slots = this.slots.slice(this.head);
    this.firstTag += this.head;
    this.head = 0;
  }
}
