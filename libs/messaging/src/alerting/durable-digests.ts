import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DeadLetterAlertQueries } from '../dead-letters/dead-letter-alert-queries';
import { InjectMessagingOptions } from '../messaging.constants';
import type { ResolvedMessagingOptions } from '../messaging.options';
import { AlertDigestSummary, DIGEST_MAX_MESSAGE_IDS } from './alert-digest';
import type { AlertEvent } from './alert-event';
import { AlertWindow, AlertWindowStore } from './alert-window-store';

/**
 * How long a parked row may take from `created_at` to commit and still be counted: a digest counts rows
 * parked up to this long before it is sent, and a new class counts from this long before its first row.
 */
export const DIGEST_GRACE_MS = 2_000;
/** A digest claim lapses after this, so a crashed holder's digest is sent by another process. */
const CLAIM_MS = 30_000;
/** After a failed send, the class's digest is tried again no sooner than this. */
const RETRY_MS = 2_000;
const DUE_BATCH = 50;

/** Sends one digest email; resolves once the mail server accepted it. */
export type DigestSend = (summary: AlertDigestSummary) => Promise<void>;

/**
 * G7 digests of parked messages from durable state, so they survive a crash of the process that saw the
 * failures: the window of each class lives in `alert_window`, the failures are the class's `dead_letter`
 * rows. Any process sends a due digest after claiming it; the window moves on only after the mail server
 * took the email, so a crash mid-send means a later send (by another process, once the claim lapses).
 */
@Injectable()
export class DurableDigests {
  private readonly logger = new Logger(DurableDigests.name);
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly windowMs: number;

  constructor(
    @InjectMessagingOptions() options: ResolvedMessagingOptions,
    private readonly store: AlertWindowStore,
    private readonly deadLetters: DeadLetterAlertQueries,
  ) {
    this.windowMs = options.alerting.digestWindowMs;
  }

  /** A dead letter was parked: true when it opened its class's window (email it at once). */
  async opened(event: AlertEvent & { deadLetterId: string }): Promise<boolean> {
    const cls = { origin: event.origin, source: event.source, reason: event.reason };
    const at = event.occurredAt.getTime();
    return this.store.open(
      cls,
      event.deadLetterId,
      new Date(at - DIGEST_GRACE_MS),
      new Date(Math.max(at, Date.now()) + this.windowMs),
    );
  }

  /** Sends every due digest no other process holds. */
  async sendDue(send: DigestSend): Promise<void> {
    const now = new Date();
    const countTo = new Date(now.getTime() - DIGEST_GRACE_MS);
    for (const key of await this.store.due(countTo, DUE_BATCH)) {
      await this.settle(key, now, countTo, countTo, send);
    }
  }

  /**
   * Shutdown: sends what every open window collected, as if it ended now, so a digest does not wait for
   * the next start when this was the last process (another process finds nothing left to count).
   */
  async flush(send: DigestSend): Promise<void> {
    const now = new Date();
    const farFuture = new Date(now.getTime() + 365 * 24 * 3600_000);
    for (const key of await this.store.openWindows(DUE_BATCH)) {
      await this.settle(key, now, farFuture, now, send);
    }
  }

  private async settle(key: string, now: Date, dueBy: Date, countTo: Date, send: DigestSend): Promise<void> {
    const window = await this.store.claim(key, this.owner, now, new Date(now.getTime() + CLAIM_MS), dueBy);
    if (!window) return;
    try {
      const range = { from: window.startedAt, to: countTo, exceptId: window.firstId };
      const found = await this.deadLetters.summary(window, range, DIGEST_MAX_MESSAGE_IDS);
      if (found.count > 0) {
        await send(toSummary(window, found, countTo));
        const moved = await this.store.advance(
          key,
          this.owner,
          countTo,
          new Date(countTo.getTime() + this.windowMs),
        );
        if (!moved) this.logger.warn({ msg: 'digest claim lapsed while sending; it may go out twice', key });
      } else if (await this.deadLetters.anySince(window, window.startedAt, window.firstId)) {
        // Failures parked within the grace: not countable yet, the window stays until they are.
        await this.store.release(key, this.owner, now);
      } else {
        const countFrom = await this.nextCountFrom(window, now);
        await this.store.close(key, this.owner, countFrom);
        // A failure that committed while closing found the window open and sent nothing: not lost.
        if (await this.deadLetters.anySince(window, countFrom, window.firstId)) {
          await this.store.reopenDue(key, now);
        }
      }
    } catch (error) {
      this.logger.warn({ msg: 'digest not sent, will retry', reason: window.reason, error: String(error) });
      await this.store.release(key, this.owner, new Date(Date.now() + RETRY_MS)).catch(() => undefined);
    }
  }

  /**
   * Where the class's next window starts counting once this one closed quiet: a grace before now, for
   * failures still committing, but after this window's first failure. Reopening names a new first
   * failure, so a count from the old start would report the old one again, already emailed on its own.
   */
  private async nextCountFrom(window: AlertWindow, now: Date): Promise<Date> {
    const graceStart = now.getTime() - DIGEST_GRACE_MS;
    const firstAt = window.firstId ? await this.deadLetters.parkedAt(window.firstId) : null;
    // created_at has millisecond precision: one after the first failure's.
    return new Date(Math.max(graceStart, window.startedAt.getTime(), (firstAt?.getTime() ?? 0) + 1));
  }
}

function toSummary(
  window: AlertWindow,
  found: { count: number; firstAt: Date | null; lastAt: Date | null; messageIds: string[] },
  countTo: Date,
): AlertDigestSummary {
  const origin = window.origin === 'publish' ? 'publish' : 'consume';
  return {
    alertClass: `${origin}|${window.source}|${window.reason}`,
    sample: {
      kind: 'message-parked',
      origin,
      source: window.source,
      reason: window.reason,
      occurredAt: countTo,
    },
    count: found.count,
    firstAt: found.firstAt ?? window.startedAt,
    lastAt: found.lastAt ?? countTo,
    messageIds: found.messageIds,
    windowStartedAt: window.startedAt,
    windowEndsAt: countTo,
  };
}
