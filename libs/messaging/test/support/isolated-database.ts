import { createConnection } from 'mysql2/promise';
import { runMigrations } from '../../src/migrations/run-migrations';
import type { MessagingModuleOptions } from '../../src/messaging.options';
import { TEST_SERVICES, uniqueName } from './test-services';

export interface IsolatedDatabase {
  name: string;
  url: string;
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
  return { name, url, drop: () => serverQuery(`DROP DATABASE IF EXISTS \`${name}\``) };
}

async function serverQuery(sql: string): Promise<void> {
  const connection = await createConnection(TEST_SERVICES.mysqlServerUrl);
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}
