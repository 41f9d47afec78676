import { createConnection } from 'mysql2/promise';
import { runMigrations } from '@app/messaging/testing';
import type { MessagingModuleOptions } from '@app/messaging/testing';
import { TEST_SERVICES, uniqueName } from './test-services';

export interface IsolatedDatabase {
  name: string;
  url: string;
  /** One parameterised statement on a short-lived connection; the rows it returned. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database for one test file, migrated with the library's (and given) migrations. */
export async function createIsolatedDatabase(
  label: string,
  extra: Pick<MessagingModuleOptions, 'entities' | 'migrations'> = {},
): Promise<IsolatedDatabase> {
  const name = uniqueName(label);
  await serverQuery(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = `${TEST_SERVICES.mysqlServerUrl}/${name}`;
  await runMigrations({ mysqlUrl: url, ...extra });
  return {
    name,
    url,
    query: <T>(sql: string, params?: unknown[]) => queryDatabase<T>(url, sql, params),
    drop: () => serverQuery(`DROP DATABASE IF EXISTS \`${name}\``),
  };
}

/** DATETIME values read as UTC, like the library's data source (`timezone: 'Z'`). */
export async function queryDatabase<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const connection = await createConnection({ uri: url, timezone: 'Z' });
  try {
    const [rows] = await connection.query(sql, params);
    return rows as T[];
  } finally {
    await connection.end();
  }
}

async function serverQuery(sql: string): Promise<void> {
  const connection = await createConnection(TEST_SERVICES.mysqlServerUrl);
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}
