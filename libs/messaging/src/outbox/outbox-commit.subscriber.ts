import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { CommittedRowsHandoff, HandedRow, HandoffLease } from './committed-rows-handoff';
import { OutboxWake } from './outbox-wake';

/** What one open transaction added to the outbox. */
interface TransactionRows {
  /** Rows that wait for a claim: the relay is woken when they committed. */
  claimed: boolean;
  /** Rows leased to this process's relay, with the savepoint depth each now belongs to. */
  handed: Array<{ handed: HandedRow; depth: number }>;
}

/**
 * Acts when a transaction that added outbox rows has committed, and only then: hands the rows leased to
 * this process's relay over to it and wakes the relay for the others. A rolled-back transaction's rows
 * never existed, nor do those of a savepoint rolled back inside one that commits; transactions without
 * outbox rows cost nothing.
 */
@Injectable()
export class OutboxCommitSubscriber implements EntitySubscriberInterface {
  private readonly open = new WeakMap<QueryRunner, TransactionRows>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wake: OutboxWake,
    private readonly handoff: CommittedRowsHandoff,
  ) {
    dataSource.subscribers.push(this);
  }

  /**
   * The lease for a row about to be written in `queryRunner`'s open transaction, if the relay takes it.
   * Only this DataSource's commits reach this subscriber: a transaction of another one would leave the
   * row to its lease.
   */
  leaseFor(queryRunner: QueryRunner): HandoffLease | null {
    if (queryRunner.connection !== this.dataSource || depthOf(queryRunner) === null) return null;
    return this.handoff.leaseForNewRows();
  }

  /**
   * Called by `OutboxService.add` for a row written inside `queryRunner`'s open transaction; `handed`
   * when the row was written leased to this process's relay.
   */
  rowAdded(queryRunner: QueryRunner, handed?: HandedRow): void {
    let rows = this.open.get(queryRunner);
    if (!rows) this.open.set(queryRunner, (rows = { claimed: false, handed: [] }));
    if (handed) rows.handed.push({ handed, depth: depthOf(queryRunner)! });
    else rows.claimed = true;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    const rows = this.open.get(runner);
    if (!rows) return;
    // A nested commit only releases a savepoint: its rows now live or die with the enclosing level.
    if (runner.isTransactionActive) {
      const depth = depthOf(runner)!;
      for (const entry of rows.handed) entry.depth = Math.min(entry.depth, depth);
      return;
    }
    this.open.delete(runner);
    if (rows.handed.length > 0) void this.handoff.handOver(rows.handed.map((entry) => entry.handed));
    if (rows.claimed) this.wake.notify();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const runner = event.queryRunner;
    const rows = this.open.get(runner);
    if (!rows) return;
    if (!runner.isTransactionActive) return void this.open.delete(runner);
    // ROLLBACK TO SAVEPOINT: the rows written since that savepoint are gone; never publish them.
    const depth = depthOf(runner)!;
    rows.handed = rows.handed.filter((entry) => entry.depth <= depth);
  }
}

/**
 * The runner's transaction nesting (1 = the transaction itself, more = savepoints), after any commit or
 * rollback being reported. TypeORM keeps it in a protected field: null if an upgrade moved it, and then
 * no row is handed over (the handoff spec's savepoint case says so).
 */
function depthOf(runner: QueryRunner): number | null {
  const depth = (runner as unknown as { transactionDepth?: unknown }).transactionDepth;
  return typeof depth === 'number' ? depth : null;
}
