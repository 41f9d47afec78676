import { HOLD_BACKOFF_MAX_MS, holdBackoffMs, holdUntilDone } from './hold';

class Passing extends Error {}

/** A step failing `failures` times with `error`, then returning 'ok'; counts its calls. */
function flaky(failures: number, error: Error = new Passing()) {
  const step = jest.fn(async () => {
    if (step.mock.calls.length <= failures) throw error;
    return 'ok';
  });
  return step;
}

const holdsPassing = (error: unknown) => error instanceof Passing;

describe('holdUntilDone', () => {
  it('returns the value of a step that succeeds at once, without asking to release', async () => {
    const release = jest.fn(() => undefined);
    const step = flaky(0);
    await expect(holdUntilDone(step, { holds: holdsPassing, release })).resolves.toEqual({
      done: true,
      value: 'ok',
    });
    expect(step).toHaveBeenCalledTimes(1);
    expect(release).not.toHaveBeenCalled();
  });

  it('waits out a held failure and tries again, telling onHeld each time', async () => {
    const onHeld = jest.fn();
    const step = flaky(1);
    const started = Date.now();
    const outcome = await holdUntilDone(step, { holds: holdsPassing, onHeld, release: () => undefined });
    expect(outcome).toEqual({ done: true, value: 'ok' });
    expect(step).toHaveBeenCalledTimes(2);
    expect(onHeld).toHaveBeenCalledTimes(1);
    expect(onHeld.mock.calls[0][0]).toBeInstanceOf(Passing);
    expect(Date.now() - started).toBeGreaterThanOrEqual(holdBackoffMs(1) - 20);
  });

  it('throws a failure it does not hold, without asking to release', async () => {
    const release = jest.fn(() => undefined);
    const step = flaky(1, new Error('boom'));
    await expect(holdUntilDone(step, { holds: holdsPassing, release })).rejects.toThrow('boom');
    expect(step).toHaveBeenCalledTimes(1);
    expect(release).not.toHaveBeenCalled();
  });

  it('stops at once with the reason release gives, after onHeld', async () => {
    const order: string[] = [];
    const step = flaky(5);
    const outcome = await holdUntilDone(step, {
      holds: holdsPassing,
      onHeld: () => order.push('held'),
      release: () => {
        order.push('release');
        return 'closing';
      },
    });
    expect(outcome).toEqual({ done: false, release: 'closing' });
    expect(step).toHaveBeenCalledTimes(1);
    expect(order).toEqual(['held', 'release']);
  });

  it('backs off 200 ms, doubling, capped at HOLD_BACKOFF_MAX_MS', () => {
    expect([1, 2, 3, 4, 5, 10].map(holdBackoffMs)).toEqual([200, 400, 800, 1600, 2000, 2000]);
    expect(HOLD_BACKOFF_MAX_MS).toBe(2000);
  });
});
