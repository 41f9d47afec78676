import type Redis from 'ioredis';
import { RedisUnavailableError } from './consume-errors';

export type ClaimResult = 'claimed' | 'done' | 'in-flight';

/**
 * Redis marks per consumer + message id: `processing` (short TTL, a crashed handler's mark expires)
 * and `done` (the dedupe window). Every Redis failure becomes `RedisUnavailableError`.
 */
export class DedupeMarks {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly processingTtlMs: number,
    private readonly doneTtlMs: number,
  ) {}

  key(consumer: string, messageId: string): string {
    return `${this.keyPrefix}dedupe:${consumer}:${messageId}`;
  }

  /**
   * `takeOver`: the broker redelivered this very delivery, so whoever set `processing` lost it (its
   * channel died); the mark is taken over instead of waiting for its TTL.
   */
  async claim(consumer: string, messageId: string, takeOver: boolean): Promise<ClaimResult> {
    const key = this.key(consumer, messageId);
    const set = await this.call(() => this.redis.set(key, 'processing', 'PX', this.processingTtlMs, 'NX'));
    if (set === 'OK') return 'claimed';
    const current = await this.call(() => this.redis.get(key));
    if (current === 'done') return 'done';
    if (current === null) return this.claim(consumer, messageId, takeOver);
    if (!takeOver) return 'in-flight';
    await this.call(() => this.redis.set(key, 'processing', 'PX', this.processingTtlMs));
    return 'claimed';
  }

  async markDone(consumer: string, messageId: string): Promise<void> {
    await this.call(() => this.redis.set(this.key(consumer, messageId), 'done', 'PX', this.doneTtlMs));
  }

  /** After a failure: the retry must be able to claim the message again. */
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
