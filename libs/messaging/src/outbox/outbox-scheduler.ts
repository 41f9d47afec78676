import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InjectOptions } from '../messaging.constants';
import type { RelayOptions } from './outbox.options';
import { OutboxWake } from './outbox-wake';

/** When a message added to the outbox becomes due: an instant or a delay from now. */
export type ScheduleOptions = { deliverAt: Date; delayMs?: never } | { delayMs: number; deliverAt?: never };

/** Rows released per statement: short row locks even when a large batch comes due at once. */
const RELEASE_BATCH = 5000;
/** setTimeout's ceiling (about 24.8 days); a later row is re-armed by the poll. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A timer never fires sooner than this: a database clock a little behind ours must not spin it. */
const MIN_TIMER_MS = 20;

export class InvalidScheduleError extends Error {
  override readonly name = 'InvalidScheduleError';
  readonly reason = 'invalid-schedule';
}

/** The due time of a scheduled add, or null when it is due at once (no schedule, or a time already past). */
export function scheduledDueAt(schedule: ScheduleOptions | undefined, now: Date): Date | null {
  if (!schedule) return null;
  const due =
    schedule.deliverAt !== undefined
      ? schedule.deliverAt.getTime()
      : now.getTime() + (schedule as { delayMs: number }).delayMs;
  if (!Number.isFinite(due)) throw new InvalidScheduleError('deliverAt/delayMs is not a valid time');
  return due > now.getTime() ? new Date(due) : null;
}

/**
 * Releases scheduled outbox rows when they come due (held → 0), so the relay's claim, which reads only
 * released rows, never walks rows scheduled for later. A timer armed for the nearest due row does it on
 * time; the poll (every `pollIntervalMs`) is the fallback and also covers rows other processes added.
 * Runs wherever the relay runs; releasing is idempotent, so several instances may do it at once.
 */
@Injectable()
export class OutboxScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxScheduler.name);
  private running = false;
  private poll: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private releasing: Promise<number> | null = null;
  private again = false;

  constructor(
    @InjectOptions('relay') private readonly relay: RelayOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wake: OutboxWake,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.relay.enabled) return;
    this.running = true;
    this.poll = setInterval(() => this.releaseSoon(), this.relay.pollIntervalMs);
    this.poll.unref();
    this.releaseSoon();
  }

  onModuleDestroy(): void {
    this.running = false;
    if (this.poll) clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A row due at `dueAt` was added here: wake for it if it is sooner than the timer already armed. */
  expect(dueAt: Date): void {
    if (this.running) this.arm(dueAt.getTime());
  }

  /** Releases every due row, wakes the relay if there were any, and arms the timer for the next one. */
  release(): Promise<number> {
    if (this.releasing) {
      this.again = true;
      return this.releasing;
    }
    this.releasing = this.releaseDue().finally(() => {
      this.releasing = null;
      if (this.again && this.running) {
        this.again = false;
        this.releaseSoon();
      }
    });
    return this.releasing;
  }

  private releaseSoon(): void {
    this.release().catch((error: Error) =>
      this.logger.warn({
        msg: 'could not release due scheduled messages; the poll retries',
        error: error.message,
      }),
    );
  }

  private async releaseDue(): Promise<number> {
    let released = 0;
    for (;;) {
      const result = await this.dataSource.query<{ affectedRows: number }>(
        /* sql */ `UPDATE outbox_message SET held = 0
         WHERE held = 1 AND deliver_at <= UTC_TIMESTAMP(3) ORDER BY deliver_at LIMIT ?`,
        [RELEASE_BATCH],
      );
      released += result.affectedRows;
      if (result.affectedRows > 0) this.wake.notify();
      if (result.affectedRows < RELEASE_BATCH) break;
    }
    const [next] = await this.dataSource.query<Array<{ next: Date | null }>>(
      /* sql */ `SELECT MIN(deliver_at) AS next FROM outbox_message WHERE held = 1`,
    );
    if (next?.next && this.running) this.arm(new Date(next.next).getTime());
    return released;
  }

  private arm(at: number): void {
    if (this.timer && this.timerDue <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = at;
    const delay = Math.min(Math.max(at - Date.now(), MIN_TIMER_MS), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDue = Infinity;
      this.releaseSoon();
    }, delay);
    this.timer.unref();
  }
}
