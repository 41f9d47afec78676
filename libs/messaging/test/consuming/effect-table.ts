import { queryDatabase } from '../support/isolated-database';

/** `test_effect`: one row per handler run that committed, written by the fixture app's handlers. */
export async function createEffectTable(url: string): Promise<void> {
  await query(
    url,
    `CREATE TABLE test_effect (id INT AUTO_INCREMENT PRIMARY KEY, consumer VARCHAR(64), message_id VARCHAR(64),
       ordering_key VARCHAR(64) NULL, seq INT NULL, instance VARCHAR(32))`,
  );
}

export async function effectCount(url: string): Promise<number> {
  const [row] = await query<{ n: number }>(url, 'SELECT COUNT(*) AS n FROM test_effect');
  return Number(row.n);
}

/** The message ids of `consumer`'s effects, in message-id order. */
export async function effectIdsOf(url: string, consumer: string): Promise<string[]> {
  const rows = await query<{ message_id: string }>(
    url,
    'SELECT message_id FROM test_effect WHERE consumer = ? ORDER BY message_id',
    [consumer],
  );
  return rows.map((r) => r.message_id);
}

export function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return queryDatabase<T>(url, sql, params);
}
