import type { DataSourceOptions } from 'typeorm';
import { DeadLetter } from '../dead-letters/dead-letter.entity';
import { InboxMessage } from '../consuming/inbox-message.entity';
import { MESSAGING_MIGRATIONS } from './index';
import type { ResolvedMessagingOptions } from '../messaging.options';
import { OutboxMessage } from '../outbox/outbox-message.entity';

export const MESSAGING_ENTITIES = [OutboxMessage, DeadLetter, InboxMessage];

/** TypeORM options for the library's tables plus the app's. Never `synchronize`: migrations only. */
export function dataSourceOptions(
  o: Pick<
    ResolvedMessagingOptions,
    'mysqlUrl' | 'entities' | 'migrations' | 'migrationsRun' | 'mysqlPoolSize'
  >,
): DataSourceOptions {
  return {
    type: 'mysql',
    url: o.mysqlUrl,
    entities: [...MESSAGING_ENTITIES, ...(o.entities as [])],
    migrations: [...MESSAGING_MIGRATIONS, ...(o.migrations as [])],
    migrationsRun: o.migrationsRun,
    migrationsTableName: 'migrations',
    synchronize: false,
    // DATETIME columns hold UTC; the driver must not shift them by the process time zone.
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    poolSize: o.mysqlPoolSize,
    connectTimeout: 5000,
    // mysql2 captures a stack trace per query for its error messages: ~3 % of the CPU of a
    // `POST /orders` (docs/performance.md, write path). A failed query still names itself: TypeORM's
    // QueryFailedError carries its SQL.
    trace: false,
  };
}
