import { AlertDigest, DIGEST_MAX_MESSAGE_IDS } from './alert-digest';
import type { AlertEvent } from './alert-event';

const WINDOW = 60_000;

function parked(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    kind: 'message-parked',
    origin: 'consume',
    reason: 'handler-error',
    source: 'app.billing',
    occurredAt: new Date(0),
    ...overrides,
  };
}

describe('AlertDigest', () => {
  it('sends the first failure of a class at once and collects the rest of its window', () => {
    const digest = new AlertDigest(WINDOW);
    expect(digest.accept(parked({ messageId: 'm1' }), 0)).toBe('send-now');
    expect(digest.accept(parked({ messageId: 'm2' }), 10)).toBe('collect');
    expect(digest.accept(parked({ messageId: 'm3' }), 20)).toBe('collect');
  });

  it('treats another queue, side or reason as another class', () => {
    const digest = new AlertDigest(WINDOW);
    expect(digest.accept(parked(), 0)).toBe('send-now');
    expect(digest.accept(parked({ source: 'app.shipping' }), 1)).toBe('send-now');
    expect(digest.accept(parked({ reason: 'malformed-json' }), 2)).toBe('send-now');
    expect(digest.accept(parked({ origin: 'publish' }), 3)).toBe('send-now');
  });

  it('summarises the collected failures once the window ended, not before', () => {
    const digest = new AlertDigest(WINDOW);
    digest.accept(parked({ messageId: 'm0' }), 0);
    for (let i = 1; i < 1000; i++) {
      digest.accept(parked({ messageId: `m${i}`, occurredAt: new Date(i) }), i);
    }
    expect(digest.due(WINDOW - 1)).toEqual([]);
    const [summary, ...others] = digest.due(WINDOW);
    expect(others).toEqual([]);
    expect(summary.count).toBe(999);
    expect(summary.firstAt).toEqual(new Date(1));
    expect(summary.lastAt).toEqual(new Date(999));
    expect(summary.messageIds).toHaveLength(DIGEST_MAX_MESSAGE_IDS);
    expect(summary.messageIds[0]).toBe('m1');
  });

  it('keeps collecting into digests while the storm goes on', () => {
    const digest = new AlertDigest(WINDOW);
    digest.accept(parked(), 0);
    digest.accept(parked(), 1);
    expect(digest.due(WINDOW)).toHaveLength(1);
    expect(digest.accept(parked(), WINDOW + 1)).toBe('collect');
    expect(digest.due(2 * WINDOW)).toMatchObject([{ count: 1 }]);
  });

  it('closes a quiet window, so the next failure of the class is emailed at once again', () => {
    const digest = new AlertDigest(WINDOW);
    digest.accept(parked(), 0);
    expect(digest.due(WINDOW)).toEqual([]);
    expect(digest.nextDueAt()).toBeNull();
    expect(digest.accept(parked(), WINDOW + 5)).toBe('send-now');
  });

  it('drains every open window that collected something', () => {
    const digest = new AlertDigest(WINDOW);
    digest.accept(parked(), 0);
    digest.accept(parked(), 1);
    digest.accept(parked({ source: 'quiet' }), 2);
    expect(digest.drain()).toMatchObject([{ count: 1, alertClass: 'consume|app.billing|handler-error' }]);
    expect(digest.nextDueAt()).toBeNull();
  });
});
