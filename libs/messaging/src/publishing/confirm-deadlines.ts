/**
 * A publish awaiting its confirm: `expire` runs if it is still open at `due`. The publish is its own
 * entry, so a deadline costs no object or closure of its own per message.
 */
export interface ConfirmDeadline {
  due: number;
  open: boolean;
  expire(): void;
}

/** Compact the queue once this many settled entries sit before its head. */
const COMPACT_AFTER = 1024;

/**
 * The confirm timeouts of a channel's publishes. Every publish waits as long, so deadlines come due in
 * the order they were added: one timer, set for the oldest open one, replaces a `setTimeout` and a
 * `clearTimeout` per message (a few µs each at thousands of publishes a second).
 */
export class ConfirmDeadlines {
  private queue: ConfirmDeadline[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {}

  /** Entries held: the open ones, and closed ones behind the oldest open one. */
  get held(): number {
    return this.queue.length - this.head;
  }

  /** Sets the entry's deadline to the timeout from now: it expires then unless `close` ran first. */
  add<T extends ConfirmDeadline>(deadline: T): T {
    deadline.due = Date.now() + this.timeoutMs;
    deadline.open = true;
    this.queue.push(deadline);
    if (!this.timer) this.arm(this.timeoutMs);
    return deadline;
  }

  /**
   * Confirms mostly arrive in publish order, so closing usually moves the head: a closed entry is not
   * kept until the next sweep, up to a timeout's worth of publishes. An entry behind an open one stays
   * queued until the head passes it: it should drop what it holds when it closes.
   */
  close(deadline: ConfirmDeadline): void {
    deadline.open = false;
    while (this.head < this.queue.length && !this.queue[this.head].open) this.head++;
    if (this.head >= COMPACT_AFTER) this.compact();
  }

  /** Stops the timer; entries still open never expire (the channel is gone, its publishes settled). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.head = 0;
  }

  private compact(): void {
    this.queue = this.head === this.queue.length ? [] : this.queue.slice(this.head);
    this.head = 0;
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => this.sweep(), Math.max(0, delayMs));
  }

  private sweep(): void {
    this.timer = null;
    const now = Date.now();
    while (this.head < this.queue.length) {
      const next = this.queue[this.head];
      if (next.open && next.due > now) break;
      this.head++;
      if (next.open) {
        next.open = false;
        next.expire();
      }
    }
    this.compact();
    if (this.head < this.queue.length) this.arm(this.queue[this.head].due - now);
  }
}
