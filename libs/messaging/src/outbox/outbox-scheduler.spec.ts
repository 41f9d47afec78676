import { InvalidScheduleError, scheduledDueAt } from './outbox-scheduler';

describe('scheduledDueAt', () => {
  const now = new Date('2026-12-04T12:00:00.000Z');

  it('is null without a schedule, and for a time not after now (due at once)', () => {
    expect(scheduledDueAt(undefined, now)).toBeNull();
    expect(scheduledDueAt({ delayMs: 0 }, now)).toBeNull();
    expect(scheduledDueAt({ delayMs: -5 }, now)).toBeNull();
    expect(scheduledDueAt({ deliverAt: new Date(now.getTime() - 1) }, now)).toBeNull();
  });

  it('adds a delay to now, or takes the instant given', () => {
    expect(scheduledDueAt({ delayMs: 3000 }, now)).toEqual(new Date('2026-12-04T12:00:03.000Z'));
    const at = new Date('2027-01-01T09:00:00.000Z');
    expect(scheduledDueAt({ deliverAt: at }, now)).toEqual(at);
  });

  it('refuses a time that is not a time', () => {
    expect(() => scheduledDueAt({ deliverAt: new Date('nope') }, now)).toThrow(InvalidScheduleError);
    expect(() => scheduledDueAt({ delayMs: Number.NaN }, now)).toThrow(InvalidScheduleError);
  });
});
