import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';

/**
 * MariaDB's server-wide status counters (`SHOW GLOBAL STATUS`, which needs no PROCESS privilege, unlike
 * `information_schema.INNODB_TRX` or `SHOW ENGINE INNODB STATUS`). They count every client's work, so a
 * difference is only the subject's while nothing else runs: the bench holds its quiet lock.
 */
export async function serverStatus<Name extends string>(
  /** A URL to connect to for this read, or an open connection, whose own setup then stays outside. */
  server: string | Connection,
  names: readonly Name[],
): Promise<Record<Name, number>> {
  const db = typeof server === 'string' ? await createConnection({ uri: server }) : server;
  try {
    const [rows] = await db.query<Array<{ Variable_name: string; Value: string }> & RowDataPacket[]>(
      'SHOW GLOBAL STATUS WHERE Variable_name IN (?)',
      [names],
    );
    const value = (name: Name) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? NaN);
    return Object.fromEntries(names.map((name) => [name, value(name)])) as Record<Name, number>;
  } finally {
    if (db !== server) await db.end();
  }
}

/** `after - before` of each counter, divided by `per` (1 for the plain difference). */
export function statusDelta<Name extends string>(
  before: Record<Name, number>,
  after: Record<Name, number>,
  per = 1,
): Record<Name, number> {
  return Object.fromEntries(
    (Object.keys(before) as Name[]).map((name) => [name, (after[name] - before[name]) / per]),
  ) as Record<Name, number>;
}
