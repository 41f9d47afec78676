import Redis from 'ioredis';
import { TEST_SERVICES, uniqueName } from './test-services';

export interface IsolatedRedisPrefix {
  prefix: string;
  url: string;
  /** Deletes every key under the prefix. */
  clear(): Promise<void>;
}

export function createIsolatedRedisPrefix(label: string): IsolatedRedisPrefix {
  const prefix = `${uniqueName(label)}:`;
  return { prefix, url: TEST_SERVICES.redisUrl, clear: () => deleteKeys(`${prefix}*`) };
}

export async function deleteKeys(pattern: string, url = TEST_SERVICES.redisUrl): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
