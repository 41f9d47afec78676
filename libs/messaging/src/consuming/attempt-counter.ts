import type Redis from 'ioredis';
import { RedisUnavailableError } from './consume-errors';

/**
 * Counts *started* handler runs per consumer + message id in Redis, so a message that kills the process
 * before it can fail cleanly still uses up its budget (the broker's delivery limit is the backstop when
 * Redis itself is gone).
 */
export class AttemptCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly ttlMs: number,
  ) {}

  /** Registers a run about to start; returns its 1-based number. */
  async start(consumer: string, messageId: string): Promise<number> {
    const key = this.key(consumer, messageId);
    try {
      const result = await this.redis.multi().incr(key).pexpire(key, this.ttlMs).exec();
      const [error, value] = result?.[0] ?? [new Error('transaction aborted'), null];
      if (error) throw error;
      return Number(value);
    } catch (error) {
      throw new RedisUnavailableError(error);
    }
  }

  /** Takes back a run that never got to the handler's effect (its database was down). */
  async uncount(consumer: string, messageId: string): Promise<void> {
    await this.redis.decr(this.key(consumer, messageId)).catch(() => undefined);
  }

  /** The message was settled for good; its count is no longer needed. */
  async forget(consumer: string, messageId: string): Promise<void> {
    await this.redis.del(this.key(consumer, messageId)).catch(() => undefined);
  }

  private key(consumer: string, messageId: string): string {
    return attemptsKey(this.keyPrefix, consumer, messageId);
  }
}

/** The attempt count's key; `DedupeMarks` counts a claimed delivery's first run in its claim script. */
export function attemptsKey(keyPrefix: string, consumer: string, messageId: string): string {
  return `${keyPrefix}attempts:${consumer}:${messageId}`;
}
