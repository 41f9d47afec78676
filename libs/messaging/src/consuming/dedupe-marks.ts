import type Redis from 'ioredis';
import { attemptsKey } from './attempt-counter';
import { RedisUnavailableError } from './consume-errors';

export type ClaimResult = 'claimed' | 'done' | 'in-flight';

/**
 * Claims the `processing` mark and, when it got it, counts the handler run, in one round trip.
 * KEYS: dedupe mark, attempt count. ARGV: processing TTL, take over ('1'), attempt count TTL.
 */
const CLAIM_SCRIPT = /* lua */ `
if not redis.call('SET', KEYS[1], 'processing', 'PX', ARGV[1], 'NX') then
  if redis.call('GET', KEYS[1]) == 'done' then return {'done', 0} end
  if ARGV[2] ~= '1' then return {'in-flight', 0} end
  redis.call('SET', KEYS[1], 'processing', 'PX', ARGV[1])
end
local attempt = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {'claimed', attempt}
`;

/** Marks the message done and drops its attempt count, in one round trip. KEYS as above; ARGV: done TTL. */
const DONE_SCRIPT = /* lua */ `
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`;

type ScriptedRedis = Redis & {
  messagingDedupeClaim(
    mark: string,
    attempts: string,
    processingTtlMs: number,
    takeOver: string,
    attemptsTtlMs: number,
  ): Promise<[ClaimResult, number]>;
  messagingDedupeDone(mark: string, attempts: string, doneTtlMs: number): Promise<number>;
};

/**
 * Redis marks per consumer + message id: `processing` (short TTL, a crashed handler's mark expires)
 * and `done` (the dedupe window). Each step is one Lua script, so a delivery costs two Redis round
 * trips (claim + count, done + forget) instead of four. Every Redis failure becomes
 * `RedisUnavailableError`.
 */
export class DedupeMarks {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    private readonly processingTtlMs: number,
    private readonly doneTtlMs: number,
  ) {
    if (!('messagingDedupeClaim' in redis)) {
      redis.defineCommand('messagingDedupeClaim', { numberOfKeys: 2, lua: CLAIM_SCRIPT });
      redis.defineCommand('messagingDedupeDone', { numberOfKeys: 2, lua: DONE_SCRIPT });
    }
    this.redis = redis as ScriptedRedis;
  }

  key(consumer: string, messageId: string): string {
    return `${this.keyPrefix}dedupe:${consumer}:${messageId}`;
  }

  /**
   * `takeOver`: the broker redelivered this very delivery, so whoever set `processing` lost it (its
   * channel died); the mark is taken over instead of waiting for its TTL. A claim also counts the
   * handler run that follows it (`attempt`, as `AttemptCounter.start` would).
   */
  async claim(
    consumer: string,
    messageId: string,
    takeOver: boolean,
  ): Promise<{ result: ClaimResult; attempt: number }> {
    const [result, attempt] = await this.call(() =>
      this.redis.messagingDedupeClaim(
        this.key(consumer, messageId),
        attemptsKey(this.keyPrefix, consumer, messageId),
        this.processingTtlMs,
        takeOver ? '1' : '0',
        this.doneTtlMs,
      ),
    );
    return { result, attempt: Number(attempt) };
  }

  /** The message's effect is committed: suppress redeliveries; its attempt count is no longer needed. */
  async markDone(consumer: string, messageId: string): Promise<void> {
    await this.call(() =>
      this.redis.messagingDedupeDone(
        this.key(consumer, messageId),
        attemptsKey(this.keyPrefix, consumer, messageId),
        this.doneTtlMs,
      ),
    );
  }

  /** After a failure: the retry must be able to claim the message again (its attempt count stays). */
  async release(consumer: string, messageId: string): Promise<void> {
    await this.call(() => this.redis.del(this.key(consumer, messageId)));
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new RedisUnavailableError(error);
    }
  }
}
