import { AlertEvent, alertClassOf } from './alert-event';

/** Message ids listed in one digest email at most; the count says how many there were. */
export const DIGEST_MAX_MESSAGE_IDS = 20;

/** Failures of one class collected during one window, emailed together when the window ends. */
export interface AlertDigestSummary {
  alertClass: string;
  /** The first event of the class, for origin/source/reason/kind. */
  sample: AlertEvent;
  /** Failures collected in the window: the immediately emailed first one is not counted again. */
  count: number;
  firstAt: Date;
  lastAt: Date;
  /** Up to DIGEST_MAX_MESSAGE_IDS message ids, in arrival order. */
  messageIds: string[];
  windowStartedAt: Date;
  windowEndsAt: Date;
}

/** What to do with an incoming alert event. */
export type AlertVerdict = 'send-now' | 'collect';

interface OpenWindow {
  sample: AlertEvent;
  startedAt: number;
  endsAt: number;
  count: number;
  firstAt: Date | null;
  lastAt: Date | null;
  messageIds: string[];
}

/**
 * The storm policy of G7 as plain state, no timers: the first failure of a class is emailed at once and
 * opens a window; failures of that class inside the window are collected and summarised once it ends.
 * A window that collected something opens the next one (the storm goes on: digests, no new immediate
 * email); a window that collected nothing closes, so the next failure of the class is news again.
 */
export class AlertDigest {
  private readonly windows = new Map<string, OpenWindow>();

  constructor(private readonly windowMs: number) {}

  accept(event: AlertEvent, now: number): AlertVerdict {
    const key = alertClassOf(event);
    const window = this.windows.get(key);
    if (!window) {
      this.windows.set(key, emptyWindow(event, now, this.windowMs));
      return 'send-now';
    }
    window.count += 1;
    window.firstAt ??= event.occurredAt;
    window.lastAt = event.occurredAt;
    if (event.messageId && window.messageIds.length < DIGEST_MAX_MESSAGE_IDS) {
      window.messageIds.push(event.messageId);
    }
    return 'collect';
  }

  /** Digests of the windows that ended at or before `now`; ended windows are closed or renewed. */
  due(now: number): AlertDigestSummary[] {
    const summaries: AlertDigestSummary[] = [];
    for (const [key, window] of this.windows) {
      if (window.endsAt > now) continue;
      if (window.count === 0) {
        this.windows.delete(key);
        continue;
      }
      summaries.push(summarise(key, window));
      this.windows.set(key, emptyWindow(window.sample, now, this.windowMs));
    }
    return summaries;
  }

  /** Everything collected so far, as if every window ended now (shutdown). */
  drain(): AlertDigestSummary[] {
    const summaries = [...this.windows]
      .filter(([, window]) => window.count > 0)
      .map(([key, window]) => summarise(key, window));
    this.windows.clear();
    return summaries;
  }

  /** Time of the earliest window end, or null when no window is open. */
  nextDueAt(): number | null {
    let next: number | null = null;
    for (const window of this.windows.values()) {
      if (next === null || window.endsAt < next) next = window.endsAt;
    }
    return next;
  }
}

function emptyWindow(sample: AlertEvent, now: number, windowMs: number): OpenWindow {
  return {
    sample,
    startedAt: now,
    endsAt: now + windowMs,
    count: 0,
    firstAt: null,
    lastAt: null,
    messageIds: [],
  };
}

function summarise(alertClass: string, window: OpenWindow): AlertDigestSummary {
  return {
    alertClass,
    sample: window.sample,
    count: window.count,
    firstAt: window.firstAt ?? new Date(window.startedAt),
    lastAt: window.lastAt ?? new Date(window.startedAt),
    messageIds: [...window.messageIds],
    windowStartedAt: new Date(window.startedAt),
    windowEndsAt: new Date(window.endsAt),
  };
}
