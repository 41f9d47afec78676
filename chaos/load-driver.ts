import { sleep } from '../libs/messaging/test/support';
import type { FleetMember } from './chaos-fleet';

export interface LoadOptions {
  /** Order events to commit in total (3 per order: created, paid, shipped). */
  messages: number;
  /** Steady rate in events per second. */
  ratePerSecond: number;
  /** Every n-th order belongs to a `fail-always` customer: its events must end in dead_letter. */
  poisonEvery: number;
  /** Every n-th order belongs to a `fail-times-1` customer: each event fails once, then succeeds. */
  flakyEvery: number;
  /** Order flows in flight at most; the driver falls behind instead of piling up during outages. */
  maxInFlight: number;
}

export interface LoadProgress {
  ordersStarted: number;
  /** Events whose request was answered 2xx, or 409 (an earlier, unanswered attempt committed it). */
  eventsCommitted: number;
  /** Requests retried because a producer or the database did not answer. */
  retries: number;
  poisonOrders: number;
}

const STEPS = ['', '/pay', '/ship'] as const;
const STEP_DEADLINE_MS = 120_000;

/**
 * Creates, pays and ships orders at a steady rate through the producers' HTTP API, round-robin over the
 * instances that are up. A failed request is retried on the next instance; the databases, not this
 * driver, are the truth the verifier reads.
 */
export class LoadDriver {
  readonly progress: LoadProgress = { ordersStarted: 0, eventsCommitted: 0, retries: 0, poisonOrders: 0 };
  private next = 0;
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly producers: FleetMember[],
    private readonly options: LoadOptions,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /** Resolves when every order flow started has ended (its events committed or its deadline passed). */
  async run(): Promise<void> {
    const orders = Math.ceil(this.options.messages / STEPS.length);
    const ordersPerSecond = this.options.ratePerSecond / STEPS.length;
    const started = Date.now();
    const flows: Promise<void>[] = [];
    while (this.progress.ordersStarted < orders && !this.stopped) {
      const due = Math.floor(((Date.now() - started) / 1000) * ordersPerSecond);
      while (
        this.progress.ordersStarted < Math.min(due, orders) &&
        this.inFlight < this.options.maxInFlight
      ) {
        flows.push(this.orderFlow(this.progress.ordersStarted++));
      }
      await sleep(50);
    }
    await Promise.all(flows);
  }

  private async orderFlow(n: number): Promise<void> {
    this.inFlight++;
    try {
      const poison = n % this.options.poisonEvery === this.options.poisonEvery - 1;
      const flaky = !poison && n % this.options.flakyEvery === this.options.flakyEvery - 1;
      if (poison) this.progress.poisonOrders++;
      const customerId = poison ? `fail-always-chaos-${n}` : flaky ? `fail-times-1-chaos-${n}` : `chaos-${n}`;
      const created = await this.request('/orders', { customerId, amountCents: 100 + (n % 1000) });
      if (!created) return;
      for (const step of STEPS.slice(1)) {
        if (!(await this.request(`/orders/${created}${step}`))) return;
      }
    } finally {
      this.inFlight--;
    }
  }

  /** The order id (create) or 'ok'; null when no producer committed it before the deadline. */
  private async request(path: string, body?: unknown): Promise<string | null> {
    const deadline = Date.now() + STEP_DEADLINE_MS;
    while (Date.now() < deadline) {
      const producer = this.pickProducer();
      if (producer) {
        try {
          const response = await fetch(`${producer.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(15_000),
          });
          if (response.ok || response.status === 409) {
            this.progress.eventsCommitted++;
            const json = (await response.json()) as { id?: string };
            return json.id ?? 'ok';
          }
        } catch {
          // Producer killed, restarting, or its database down: try again below.
        }
      }
      this.progress.retries++;
      if (this.stopped) return null;
      await sleep(500);
    }
    return null;
  }

  private pickProducer(): FleetMember | undefined {
    for (let i = 0; i < this.producers.length; i++) {
      const candidate = this.producers[this.next++ % this.producers.length];
      if (candidate.up) return candidate;
    }
    return undefined;
  }
}
