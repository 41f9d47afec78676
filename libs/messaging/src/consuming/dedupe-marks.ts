import DataLoader from 'dataloader';
import type Redis from 'ioredis';
import { attemptsKey } from './attempt-counter';
import { RedisUnavailableError } from './consume-errors';

export type ClaimResult = 'claimed' | 'done' | 'in-flight';

/**
 * Claims the `processing` mark of each message and, where it got it, counts the handler run.
 * KEYS: pairs of (dedupe mark, attempt count). ARGV: processing TTL, attempt count TTL, then one
 * take-over flag ('1') per pair. Returns (result, attempt) per pair.
 */
const CLAIM_SCRIPT = /* lua */ `
local out = {}
for i = 1, #KEYS / 2 do
  local mark, attempts = KEYS[2 * i - 1], KEYS[2 * i]
  local result, attempt = 'claimed', 0
  if not redis.call('SET', mark, 'processing', 'PX', ARGV[1], 'NX') then
    if redis.call('GET', mark) == 'done' then result = 'done'
    elseif ARGV[2 + i] ~= '1' then result = 'in-flight'
    else redis.call('SET', mark, 'processing', 'PX', ARGV[1]) end
  end
  if result == 'claimed' then
    attempt = redis.call('INCR', attempts)
    redis.call('PEXPIRE', attempts, ARGV[2])
  end
  out[2 * i - 1] = result
  out[2 * i] = attempt
end
return out
`;

/** Marks each message done and drops its attempt count. KEYS as above; ARGV: done TTL. */
const DONE_SCRIPT = /* lua */ `
for i = 1, #KEYS / 2 do
  redis.call('SET', KEYS[2 * i - 1], 'done', 'PX', ARGV[1])
  redis.call('DEL', KEYS[2 * i])
end
return #KEYS / 2
`;

/** Deliveries settled in one loop turn share a script call; a bound keeps one call short for Redis. */
const MAX_BATCH = 256;

type ScriptedRedis = Redis & {
  messagingDedupeClaimMany(...keysAndArgs: Array<string | number>): Promise<Array<string | number>>;
  messagingDedupeDoneMany(...keysAndArgs: Array<string | number>): Promise<number>;
};

interface Claim {
  mark: string;
  attempts: string;
  takeOver: boolean;
}

interface Marks {
  mark: string;
  attempts: string;
}

/**
 * Redis marks per consumer + message id: `processing` (short TTL, a crashed handler's mark expires)
 * and `done` (the dedupe window). Claims (claim + count the run) and done marks (done + forget the
 * count) of all deliveries in one event-loop turn go to Redis as one Lua call each (DataLoader
 * batching), so a busy consumer pays a few round trips per batch, not two per message. Every Redis
 * failure becomes `RedisUnavailableError`. Not for Redis Cluster: a batch spans hash slots.
 */
export class DedupeMarks {
  private readonly redis: ScriptedRedis;
  private readonly claims: DataLoader<Claim, { result: ClaimResult; attempt: number }>;
  private readonly dones: DataLoader<Marks, void>;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    private readonly processingTtlMs: number,
    private readonly doneTtlMs: number,
  ) {
    if (!('messagingDedupeClaimMany' in redis)) {
      redis.defineCommand('messagingDedupeClaimMany', { lua: CLAIM_SCRIPT });
      redis.defineCommand('messagingDedupeDoneMany', { lua: DONE_SCRIPT });
    }
    this.redis = redis as ScriptedRedis;
    // One tick for both loaders: the claim and done batches of a turn leave in one socket write.
    const batching = { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: onSharedTick() };
    this.claims = new DataLoader((claims) => this.claimMany(claims), batching);
    this.dones = new DataLoader((marks) => this.markDoneMany(marks), batching);
  }

  key(consumer: string, messageId: string): string {
    return `${this.keyPrefix}dedupe:${consumer}:${messageId}`;
  }

  /**
   * `takeOver`: the broker redelivered this very delivery, so whoever set `processing` lost it (its
   * channel died); the mark is taken over instead of waiting for its TTL. A claim also counts the
   * handler run that follows it (`attempt`, as `AttemptCounter.start` would).
   */
  claim(
    consumer: string,
    messageId: string,
    takeOver: boolean,
  ): Promise<{ result: ClaimResult; attempt: number }> {
    return this.call(() => this.claims.load({ ...this.marksOf(consumer, messageId), takeOver }));
  }

  /** The message's effect is committed: suppress redeliveries; its attempt count is no longer needed. */
  markDone(consumer: string, messageId: string): Promise<void> {
    return this.call(() => this.dones.load(this.marksOf(consumer, messageId)));
  }

  /** After a failure: the retry must be able to claim the message again (its attempt count stays). */
  async release(consumer: string, messageId: string): Promise<void> {
    await this.call(() => this.redis.del(this.key(consumer, messageId)));
  }

  private marksOf(consumer: string, messageId: string): Marks {
    return {
      mark: this.key(consumer, messageId),
      attempts: attemptsKey(this.keyPrefix, consumer, messageId),
    };
  }

  private async claimMany(
    claims: readonly Claim[],
  ): Promise<Array<{ result: ClaimResult; attempt: number }>> {
    const reply = await this.redis.messagingDedupeClaimMany(
      claims.length * 2,
      ...claims.flatMap((c) => [c.mark, c.attempts]),
      this.processingTtlMs,
      this.doneTtlMs,
      ...claims.map((c) => (c.takeOver ? '1' : '0')),
    );
    return claims.map((_, i) => ({ result: reply[2 * i] as ClaimResult, attempt: Number(reply[2 * i + 1]) }));
  }

  private async markDoneMany(marks: readonly Marks[]): Promise<void[]> {
    await this.redis.messagingDedupeDoneMany(
      marks.length * 2,
      ...marks.flatMap((m) => [m.mark, m.attempts]),
      this.doneTtlMs,
    );
    return marks.map(() => undefined);
  }

  /** Not an async function: one promise less per call on the consumer's hot path. */
  private call<T>(command: () => Promise<T>): Promise<T> {
    const unavailable = (error: unknown) => Promise.reject(new RedisUnavailableError(error));
    try {
      return command().catch(unavailable);
    } catch (error) {
      return unavailable(error);
    }
  }
}

/** Runs every callback scheduled before the next check phase in one `setImmediate`. */
function onSharedTick(): (callback: () => void) => void {
  let due: Array<() => void> = [];
  return (callback) => {
    if (due.push(callback) > 1) return;
    setImmediate(() => {
      const run = due;
      due = [];
      run.forEach((fn) => fn());
    });
  };
}
