import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import type { MessagingModuleOptions } from '../messaging.options';

/** Applies the library's and the app's pending migrations; returns the names applied. */
export async function runMigrations(
  o: Pick<MessagingModuleOptions, 'mysqlUrl' | 'entities' | 'migrations'>,
): Promise<string[]> {
  const dataSource = new DataSource(
    dataSourceOptions({
      mysqlUrl: o.mysqlUrl,
      entities: o.entities ?? [],
      migrations: o.migrations ?? [],
      migrationsRun: false,
      mysqlPoolSize: 2,
    }),
  );
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
