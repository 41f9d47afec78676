import type { Channel, ConsumeMessage } from 'amqplib';
import { AckBatcher } from './ack-batcher';

interface AckCall {
  tag: number;
  multiple: boolean;
}

/**
 * A channel that records each ack and applies it the way RabbitMQ does: `multiple` settles every
 * outstanding tag up to its own, and a tag that is not outstanding (already settled) is a channel error.
 */
class BrokerChannel {
  readonly calls: AckCall[] = [];
  readonly acked = new Set<number>();
  readonly violations: string[] = [];
  /** Tags the caller has acked through the batcher; the broker must never ack any other. */
  readonly handled = new Set<number>();
  private readonly outstanding = new Set<number>();

  deliver(tag: number): ConsumeMessage {
    this.outstanding.add(tag);
    return { fields: { deliveryTag: tag } } as ConsumeMessage;
  }

  nack(message: ConsumeMessage): void {
    this.outstanding.delete(message.fields.deliveryTag);
  }

  ack(message: ConsumeMessage, multiple = false): void {
    const tag = message.fields.deliveryTag;
    this.calls.push({ tag, multiple });
    if (!this.outstanding.has(tag)) {
      this.violations.push(`ack(${tag}, ${multiple}) of a tag that is not outstanding`);
      return;
    }
    const covered = multiple ? [...this.outstanding].filter((outstanding) => outstanding <= tag) : [tag];
    for (const settled of covered) {
      if (!this.handled.has(settled)) this.violations.push(`tag ${settled} acked before it was settled`);
      this.outstanding.delete(settled);
      this.acked.add(settled);
    }
  }

  asChannel(): Channel {
    return this as unknown as Channel;
  }
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

function setUp() {
  const broker = new BrokerChannel();
  const onError = jest.fn();
  const batcher = new AckBatcher(broker.asChannel(), onError);
  const deliver = (...tags: number[]) =>
    tags.map((tag) => {
      const message = broker.deliver(tag);
      batcher.received(message);
      return message;
    });
  const ack = (message: ConsumeMessage) => {
    broker.handled.add(message.fields.deliveryTag);
    batcher.ack(message);
  };
  const reject = (message: ConsumeMessage) => {
    batcher.nack(message, false);
  };
  return { broker, batcher, onError, deliver, ack, reject };
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Most deliveries are settled in the tick they arrive; every 900th stays six ticks, stalling the front run. */
function ticksInHand(tag: number, lastOfBurst: boolean, random: () => number): number {
  if (tag % 900 === 0) return 6;
  // A tick late, so the front run rarely drains completely and the batcher has to compact its list.
  if (lastOfBurst) return 1;
  return random() < 0.005 ? 1 + Math.floor(random() * 3) : 0;
}

describe('AckBatcher', () => {
  it('sends the gathered acks at once when flushed (shutdown), and nothing again at the tick', async () => {
    const { broker, batcher, deliver, ack } = setUp();
    deliver(1, 2, 3).forEach(ack);
    batcher.flush();
    expect(broker.calls).toEqual([{ tag: 3, multiple: true }]);
    await nextTick();
    expect(broker.calls).toHaveLength(1);
    expect(broker.violations).toEqual([]);
  });

  it('sends the acks of one tick as a single ack(multiple) of the last tag, and nothing before the tick ends', async () => {
    const { broker, onError, deliver, ack } = setUp();
    deliver(1, 2, 3, 4, 5).forEach(ack);
    expect(broker.calls).toEqual([]);

    await nextTick();

    expect(broker.calls).toEqual([{ tag: 5, multiple: true }]);
    expect([...broker.acked].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(broker.violations).toEqual([]);
    expect(onError).not.toHaveBeenCalled();
  });

  it('acks the settled front run as multiple and acks behind a delivery still in hand alone', async () => {
    const { broker, deliver, ack } = setUp();
    const [one, two, , four, five] = deliver(1, 2, 3, 4, 5);
    [one, two, four, five].forEach(ack);

    await nextTick();

    expect(broker.calls).toEqual([
      { tag: 2, multiple: true },
      { tag: 4, multiple: false },
      { tag: 5, multiple: false },
    ]);
    expect(broker.acked.has(3)).toBe(false);
  });

  it('acks the delivery that held up the run with multiple, without acking the ones behind it again', async () => {
    const { broker, deliver, ack } = setUp();
    const [one, two, three, four, five] = deliver(1, 2, 3, 4, 5);
    [one, two, four, five].forEach(ack);
    await nextTick();

    ack(three);
    await nextTick();

    expect(broker.calls.slice(3)).toEqual([{ tag: 3, multiple: true }]);
    expect([...broker.acked].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(broker.violations).toEqual([]);
  });

  it('lets the multiple ack pass a delivery the caller nacked, without acking it', async () => {
    const { broker, deliver, ack, reject } = setUp();
    const [one, two, three] = deliver(1, 2, 3);
    ack(one);
    reject(two);
    ack(three);

    await nextTick();

    expect(broker.calls).toEqual([{ tag: 3, multiple: true }]);
    expect([...broker.acked].sort((a, b) => a - b)).toEqual([1, 3]);
    expect(broker.violations).toEqual([]);
  });

  it('sends no ack for a tick in which the caller only nacked', async () => {
    const { broker, deliver, reject } = setUp();
    deliver(1, 2).forEach(reject);

    await nextTick();

    expect(broker.calls).toEqual([]);
  });

  it('hands an ack that throws (channel closed) to onError instead of throwing, and keeps batching', async () => {
    const broker = new BrokerChannel();
    const closed = new Error('Channel closed');
    let open = false;
    const channel = {
      ack: (message: ConsumeMessage, multiple?: boolean) => {
        if (!open) throw closed;
        broker.ack(message, multiple);
      },
    } as unknown as Channel;
    const onError = jest.fn();
    const batcher = new AckBatcher(channel, onError);
    const messages = [1, 2, 3].map((tag) => broker.deliver(tag));
    messages.forEach((message) => {
      batcher.received(message);
      broker.handled.add(message.fields.deliveryTag);
    });

    batcher.ack(messages[0]);
    await nextTick();

    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledWith(closed);

    open = true;
    batcher.ack(messages[1]);
    batcher.ack(messages[2]);
    await nextTick();

    expect(broker.calls).toEqual([{ tag: 3, multiple: true }]);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('acks every delivery of a long run settled across many ticks in mixed order exactly once, none before it is settled', async () => {
    const { broker, onError, deliver, ack, reject } = setUp();
    const random = seededRandom(20_240_611);
    const total = 2_500;
    const rejected = new Set<number>();
    const settleAt = new Map<ConsumeMessage, number>();
    let next = 1;

    for (let tick = 0; next <= total || settleAt.size > 0; tick++) {
      const burst = tick % 25 === 24 ? 0 : Math.floor(random() * 90);
      const arriving = deliver(...Array.from({ length: Math.min(burst, total - next + 1) }, () => next++));
      arriving.forEach((message, index) => {
        const delay = ticksInHand(message.fields.deliveryTag, index === arriving.length - 1, random);
        settleAt.set(message, tick + delay);
      });
      const due = shuffle(
        [...settleAt].filter(([, at]) => at <= tick).map(([message]) => message),
        random,
      );
      for (const message of due) {
        settleAt.delete(message);
        if (random() < 0.1) {
          rejected.add(message.fields.deliveryTag);
          reject(message);
        } else {
          ack(message);
        }
      }
      await nextTick();
    }

    const everyTag = Array.from({ length: total }, (_, index) => index + 1);
    expect(broker.violations).toEqual([]);
    expect(onError).not.toHaveBeenCalled();
    expect([...broker.acked].filter((tag) => rejected.has(tag))).toEqual([]);
    expect([...broker.acked, ...rejected].sort((a, b) => a - b)).toEqual(everyTag);
    expect(broker.calls.some((call) => call.multiple)).toBe(true);
    expect(broker.calls.some((call) => !call.multiple)).toBe(true);
    expect(broker.calls.length).toBeLessThan(broker.acked.size);
  });
});
