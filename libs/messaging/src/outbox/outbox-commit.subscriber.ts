import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { OutboxWake } from './outbox-wake';

/**
 * Wakes the relay when a transaction that added outbox rows has committed, and only then: a rolled-back
 * transaction's rows never existed, and transactions without outbox rows cost nothing.
 */
@Injectable()
export class OutboxCommitSubscriber implements EntitySubscriberInterface {
  private readonly withOutboxRows = new WeakSet<QueryRunner>();

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly wake: OutboxWake,
  ) {
    dataSource.subscribers.push(this);
  }

  /** Called by `OutboxService.add` for a row written inside `queryRunner`'s open transaction. */
  rowAdded(queryRunner: QueryRunner): void {
    this.withOutboxRows.add(queryRunner);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A nested commit only releases a savepoint; the rows become visible with the outermost COMMIT.
    if (event.queryRunner.isTransactionActive) return;
    if (this.withOutboxRows.delete(event.queryRunner)) this.wake.notify();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.withOutboxRows.delete(event.queryRunner);
  }
}
