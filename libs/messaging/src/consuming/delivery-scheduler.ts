import { IsolationGate, PROCESS_ISOLATION_GATE } from './isolation-gate';

export interface ScheduledDelivery {
  /** The queue it came from; key order and the concurrency bound hold per queue. */
  queue: string;
  /** Ordering key: deliveries of one key and queue run one after the other, in delivery order. */
  key?: string;
  /** Run with nothing else of this process in flight (a delivery that may have killed its last consumer). */
  alone: boolean;
}

/**
 * Decides when a delivery of one subscription may start (docs/ordering.md, ADR 0208):
 * 1. key order: after the previous delivery of the same key on the same queue settled, so a key waiting
 *    on an in-place retry holds back only itself;
 * 2. the optional per-queue bound on deliveries running at once (`ordered.concurrency`), FIFO;
 * 3. isolation: a suspect runs alone in the process, every other delivery waits (`IsolationGate`).
 * The common case (no predecessor, a free slot, no suspect) starts at once without an extra promise.
 */
export class DeliveryScheduler {
  /** Per queue + key: the last scheduled delivery, settled or not; dropped once it settled. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly slots = new Map<string, Slots>();

  constructor(
    /** Deliveries of one queue running at once; undefined: as many as the prefetch lets in. */
    private readonly concurrency: number | undefined,
    private readonly gate: IsolationGate = PROCESS_ISOLATION_GATE,
  ) {
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1))
      throw new Error(`ordered.concurrency must be a whole number >= 1, got ${concurrency}`);
  }

  /** Runs `work` when its turn comes; the promise settles with it and never rejects. */
  schedule(delivery: ScheduledDelivery, work: () => Promise<void>): Promise<void> {
    if (delivery.key === undefined) return this.start(delivery, work);
    const tailKey = `${delivery.queue}\u0000${delivery.key}`;
    const previous = this.tails.get(tailKey);
    const done = previous ? previous.then(() => this.start(delivery, work)) : this.start(delivery, work);
    this.tails.set(tailKey, done);
    void done.then(() => {
      if (this.tails.get(tailKey) === done) this.tails.delete(tailKey);
    });
    return done;
  }

  /** Keys with a delivery scheduled or running (for tests and metrics). */
  get keysInFlight(): number {
    return this.tails.size;
  }

  private start(delivery: ScheduledDelivery, work: () => Promise<void>): Promise<void> {
    if (this.concurrency === undefined) return this.enterGate(delivery.alone, work);
    let slots = this.slots.get(delivery.queue);
    if (!slots) this.slots.set(delivery.queue, (slots = new Slots(this.concurrency)));
    const held = slots;
    const run = () => this.enterGate(delivery.alone, work).then(() => held.release());
    const waiting = held.acquire();
    return waiting ? waiting.then(run) : run();
  }

  private enterGate(alone: boolean, work: () => Promise<void>): Promise<void> {
    const leave = () => this.gate.leave(alone);
    const run = () => safely(work).then(leave);
    const waiting = this.gate.enter(alone);
    return waiting ? waiting.then(run) : run();
  }
}

/** A FIFO counting semaphore; `acquire` returns undefined when a slot was free. */
class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  acquire(): Promise<void> | undefined {
    if (this.running < this.limit) {
      this.running++;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter.
    if (next) next();
    else this.running--;
  }
}

function safely(work: () => Promise<void>): Promise<void> {
  try {
    return work().catch(() => undefined);
  } catch {
    return Promise.resolve();
  }
}
