import type { AlertEmail, AlertMailSender } from './alert-email';

export interface AlertMailQueueOptions {
  /** Emails waiting at most; the oldest is dropped to make room. */
  limit: number;
  /** First pause after a failed attempt; doubles per failure up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
}

/** What the queue reports, for metrics and logs. */
export interface AlertMailQueueEvents {
  sent(email: AlertEmail): void;
  attemptFailed(email: AlertEmail, error: unknown, retryInMs: number): void;
  dropped(email: AlertEmail, why: 'queue-full' | 'shutdown'): void;
}

/**
 * A bounded in-memory queue with one sender loop: `enqueue` returns at once, so a slow or dead SMTP
 * server never holds up the consumer or relay that raised the alert. A failing email is retried with
 * backoff and keeps its place (digests stay in order); the dead letters are in MySQL either way.
 */
export class AlertMailQueue {
  private readonly pending: AlertEmail[] = [];
  private pumping: Promise<void> | null = null;
  private closed = false;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly sender: AlertMailSender,
    private readonly options: AlertMailQueueOptions,
    private readonly events: AlertMailQueueEvents,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  enqueue(email: AlertEmail): void {
    if (this.closed) {
      this.events.dropped(email, 'shutdown');
      return;
    }
    if (this.pending.length >= this.options.limit) {
      this.events.dropped(this.pending.shift() as AlertEmail, 'queue-full');
    }
    this.pending.push(email);
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  /** Gives pending emails up to `graceMs` to go out, then drops the rest (reported) and stops. */
  async close(graceMs: number): Promise<void> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([this.pumping ?? Promise.resolve(), deadline]);
    this.closed = true;
    this.wakeUp?.();
    await this.pumping;
    for (const email of this.pending.splice(0)) this.events.dropped(email, 'shutdown');
  }

  private async pump(): Promise<void> {
    let delayMs = this.options.retryBaseMs;
    while (this.pending.length > 0 && !this.closed) {
      const email = this.pending[0];
      try {
        await this.sender.send(email);
        if (this.pending[0] === email) this.pending.shift();
        this.events.sent(email);
        delayMs = this.options.retryBaseMs;
      } catch (error) {
        this.events.attemptFailed(email, error, delayMs);
        await this.pause(delayMs);
        delayMs = Math.min(delayMs * 2, this.options.retryMaxMs);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
