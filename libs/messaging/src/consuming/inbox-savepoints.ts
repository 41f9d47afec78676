import type { QueryRunner } from 'typeorm';

/** The driver's connection under the query runner (mysql2): queries are queued on it in call order. */
export interface RawConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
  stream?: { cork(): void; uncork(): void };
}

const SAVEPOINT = 'inbox_entry';

/**
 * The savepoint of each handler run in a batch transaction, taken only when the handler sends its first
 * statement: a handler that writes nothing costs no statement, and one that writes sends the savepoint in
 * the same socket write as its first statement (a write on loopback costs tens of µs of CPU, ADR 0204).
 */
export class InboxSavepoints {
  private armed = false;
  private taken?: Promise<void>;

  constructor(
    runner: QueryRunner,
    private readonly connection: RawConnection,
  ) {
    const query: QueryRunner['query'] = runner.query.bind(runner);
    // Every statement of the handler goes through its manager's query runner, this one.
    runner.query = ((...args: Parameters<QueryRunner['query']>) => {
      this.beforeStatement();
      return query(...args);
    }) as QueryRunner['query'];
  }

  /** A handler run starts: its first statement takes the savepoint. */
  arm(): void {
    this.armed = true;
    this.taken = undefined;
  }

  /** The run ended: true when it took a savepoint (throws when taking it failed). */
  async disarm(): Promise<boolean> {
    this.armed = false;
    if (!this.taken) return false;
    await this.taken;
    return true;
  }

  static rollbackSql(): string {
    return `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`;
  }

  static takeSql(): string {
    return `SAVEPOINT ${SAVEPOINT}`;
  }

  private beforeStatement(): void {
    if (!this.armed || this.taken) return;
    const stream = this.connection.stream;
    // Held until the runner's own awaits issued the handler's statement behind it.
    stream?.cork();
    process.nextTick(() => stream?.uncork());
    const taken = new Promise<void>((resolve, reject) =>
      this.connection.query(InboxSavepoints.takeSql(), (error) => (error ? reject(error) : resolve())),
    );
    taken.catch(() => undefined);
    this.taken = taken;
  }
}
