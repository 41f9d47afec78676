/**
 * The bench's clocks as pure functions, so what a figure counts and between which two instants is
 * tested on synthetic timestamps (bench-clock.spec.ts) instead of trusted.
 */

/** Messages (or rows, or requests) per second between two instants in ms; every message counts. */
export function ratePerSecond(count: number, startedMs: number, finishedMs: number): number {
  if (!(finishedMs > startedMs)) throw new Error(`empty interval: ${startedMs} → ${finishedMs}`);
  return count / ((finishedMs - startedMs) / 1000);
}

/** What the bench knows about one drain of a backlog by one or more relay processes. */
export interface RelayDrain {
  /** Start instants (epoch ms) of the claims that returned rows, from every relay, any order. */
  claimStartsMs: number[];
  /** Mark-sent instants (epoch ms, the database clock) of every row of the backlog. */
  sentAtMs: number[];
}

/**
 * The relay's drain rate. The clock starts when the first claim that returned rows started (the moment
 * a relay could start working on the backlog: a poll's wait before it is not the relay's speed) and
 * stops at the last mark-sent; every row counts, including those published or marked before the first
 * mark, since a relay publishes a claim's rows before its lease commits.
 */
export function relayDrainRate(drain: RelayDrain): number {
  if (drain.claimStartsMs.length === 0) throw new Error('no claim returned rows');
  if (drain.sentAtMs.length === 0) throw new Error('no row was marked sent');
  const started = Math.min(...drain.claimStartsMs);
  const finished = drain.sentAtMs.reduce((a, b) => Math.max(a, b), -Infinity);
  return ratePerSecond(drain.sentAtMs.length, started, finished);
}

/**
 * Latency of one message from the same point for both paths: just before the business transaction
 * starts (outbox) or just before the publish call (raw), to the handler's start.
 */
export function latenciesMs(started: Map<string, number>, arrived: Map<string, number>): number[] {
  return [...started]
    .map(([id, at]) => (arrived.get(id) ?? NaN) - at)
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
}
