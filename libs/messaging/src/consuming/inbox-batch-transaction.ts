import type { DataSource, QueryRunner } from 'typeorm';
import { DUPLICATE_DELIVERY, ReliableDeliveryContext } from './delivery-context';
import { InboxMessage } from './inbox-message.entity';
import { InboxSavepoints, type RawConnection } from './inbox-savepoints';
import { driverErrno, ER_DUP_ENTRY } from './inbox-transaction';

export interface InboxEntry {
  delivery: ReliableDeliveryContext;
  handler: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export type InboxOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The transaction is gone with the failed statement (deadlock) or must be, to stay all-or-nothing (lock wait). */
const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;
/** Column widths of `inbox_message`: a longer id would be truncated by INSERT IGNORE, so it goes the strict way. */
const MAX_CONSUMER = 128;
const MAX_MESSAGE_ID = 64;

/** A handler's error that ended the whole transaction: the batch is tried again, not the handler charged. */
export class InboxTransactionLostError extends Error {
  override readonly name = 'InboxTransactionLostError';
  constructor(readonly detail: unknown) {
    super(`Inbox batch transaction lost: ${detail instanceof Error ? detail.message : String(detail)}`);
  }
}

/**
 * One try of a batch: a transaction that inserts every inbox row with one statement, then runs the
 * handlers one after another on its connection, each inside a savepoint, so a failing handler undoes
 * only its own writes and its inbox row; then one COMMIT. Throws only when the transaction itself was
 * lost; a handler's failure is its entry's outcome. Outcomes are in the order of the entries.
 */
export class InboxBatchTransaction {
  private readonly table: string;
  private connection!: RawConnection;

  constructor(
    private readonly dataSource: DataSource,
    private readonly entries: InboxEntry[],
  ) {
    this.table = dataSource.getMetadata(InboxMessage).tableName;
  }

  async run(): Promise<InboxOutcome[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      this.connection = (await runner.connect()) as RawConnection;
      await runner.startTransaction();
      let outcomes: InboxOutcome[];
      if (this.fitsColumns() && (await this.insertAll(runner))) {
        outcomes = await this.handleAll(runner);
      } else {
        // Some row exists already (a redelivery) or an id is too long: start over, one row at a time.
        await runner.rollbackTransaction();
        await runner.startTransaction();
        outcomes = await this.insertAndHandleEach(runner);
      }
      await runner.commitTransaction();
      return outcomes;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /**
   * One multi-row insert, in message id order so that two batches sharing ids lock them in the same
   * order (no deadlock between inbox inserts). An existing row, committed or not yet, makes it wait for
   * that row's lock like a single insert would, so a concurrent duplicate never runs twice. True when
   * every row was new.
   */
  private async insertAll(runner: QueryRunner): Promise<boolean> {
    const rows = [...this.entries].sort((a, b) => compare(a.delivery.messageId, b.delivery.messageId));
    const values = rows.map(() => '(?, ?, NOW(3))').join(', ');
    const params = rows.flatMap((e) => [e.delivery.consumer, e.delivery.messageId]);
    const result = (await runner.query(
      `INSERT IGNORE INTO ${this.table} (consumer, message_id, handled_at) VALUES ${values}`,
      params,
      true,
    )) as { affected?: number };
    return result.affected === rows.length;
  }

  private async handleAll(runner: QueryRunner): Promise<InboxOutcome[]> {
    const outcomes: InboxOutcome[] = [];
    const savepoints = new InboxSavepoints(runner, this.connection);
    for (const entry of this.entries) {
      savepoints.arm();
      const outcome = await this.handle(runner, entry);
      const taken = await savepoints.disarm();
      if (!outcome.ok) {
        if (taken) await runner.query(InboxSavepoints.rollbackSql());
        // The row was inserted before the savepoint: a failed run must leave no proof behind.
        await runner.query(`DELETE FROM ${this.table} WHERE consumer = ? AND message_id = ?`, [
          entry.delivery.consumer,
          entry.delivery.messageId,
        ]);
      }
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** The strict path, as one transaction per message did it, but with savepoints in one transaction. */
  private async insertAndHandleEach(runner: QueryRunner): Promise<InboxOutcome[]> {
    const outcomes: InboxOutcome[] = [];
    for (const entry of this.entries) {
      await runner.query(InboxSavepoints.takeSql());
      try {
        await runner.query(
          `INSERT INTO ${this.table} (consumer, message_id, handled_at) VALUES (?, ?, NOW(3))`,
          [entry.delivery.consumer, entry.delivery.messageId],
        );
      } catch (error) {
        if (driverErrno(error) !== ER_DUP_ENTRY) throw error;
        outcomes.push({ ok: true, value: DUPLICATE_DELIVERY });
        continue;
      }
      const outcome = await this.handle(runner, entry);
      if (!outcome.ok) await runner.query(InboxSavepoints.rollbackSql());
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private async handle(runner: QueryRunner, entry: InboxEntry): Promise<InboxOutcome> {
    entry.delivery.manager = runner.manager;
    try {
      return { ok: true, value: await entry.handler() };
    } catch (error) {
      const errno = driverErrno(error);
      if (errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT)
        throw new InboxTransactionLostError(error);
      return { ok: false, error };
    } finally {
      entry.delivery.manager = undefined;
    }
  }

  private fitsColumns(): boolean {
    return this.entries.every(
      (e) => e.delivery.consumer.length <= MAX_CONSUMER && e.delivery.messageId.length <= MAX_MESSAGE_ID,
    );
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
