import { setTimeout as sleep } from 'node:timers/promises';
export interface WaitOptions {
  /** What is awaited, for the failure message. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a truthy value (an empty array does not count) and returns that value; fails with a message naming what
 * was awaited and the last value seen. The one way tests wait for an outcome.
 */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(probe: () => Promise<T> | T, options: WaitOptions): Promise<Truthy<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (satisfied(last)) return last as Truthy<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${options.timeoutMs ?? 20_000} ms waiting for ${options.what}; last: ${describe(last)}`,
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** Truthy, and not an empty array: a query that found no rows yet has not found what is awaited. */
function satisfied(value: unknown): boolean {
  return Boolean(value) && !(Array.isArray(value) && value.length === 0);
}

/** Node's promise timer, re-exported so tests have one `sleep`. */
export { sleep };

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value)?.slice(0, 300) ?? String(value);
  } catch {
    return String(value);
  }
}
