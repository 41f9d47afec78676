import { sleep } from './sleep';

/** Longest pause between two tries of a held delivery. */
export const HOLD_BACKOFF_MAX_MS = 2000;

/** Why a held delivery stopped waiting: shutdown began (requeue it) or its channel closed (leave it). */
export type HoldRelease = 'closing' | 'channel-closed';

export interface HoldRules {
  /** Whether a failure is waited out; any other failure is thrown to the caller. */
  holds: (error: unknown) => boolean;
  /** Called for every failure that is waited out, before `release` is asked. */
  onHeld?: (error: unknown) => void;
  /** A reason to stop waiting now, or undefined to pause and try again. */
  release: () => HoldRelease | undefined;
}

export type HoldOutcome<T> = { done: true; value: T } | { done: false; release: HoldRelease };

/** The pause after the `hold`-th failure: 200 ms, doubled each time, at most HOLD_BACKOFF_MAX_MS. */
export function holdBackoffMs(hold: number): number {
  return Math.min(100 * 2 ** hold, HOLD_BACKOFF_MAX_MS);
}

/**
 * Runs `step` until it succeeds, waiting out a passing failure (Redis or MySQL down, the message busy
 * elsewhere, the dead letter not stored) with back-off instead of settling the delivery: a held
 * delivery neither spins the queue nor uses up its delivery limit.
 */
export async function holdUntilDone<T>(step: () => Promise<T>, rules: HoldRules): Promise<HoldOutcome<T>> {
  for (let hold = 1; ; hold++) {
    try {
      return { done: true, value: await step() };
    } catch (error) {
      if (!rules.holds(error)) throw error;
      rules.onHeld?.(error);
      const release = rules.release();
      if (release) return { done: false, release };
      await sleep(holdBackoffMs(hold));
    }
  }
}
