import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { OutboxService } from '../outbox/outbox.service';
import { DeadLetter, DeadLetterStatus } from './dead-letter.entity';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterFilter, whereDeadLetterMatches } from './dead-letter-query';
import { lockOpenDeadLetter, resolution } from './open-dead-letter';
import { PayloadNotReplayableError } from './payload-not-replayable.error';
import { replayMessageOf } from './replay-message';

export type Resolution = Exclude<DeadLetterStatus, 'open'>;

/** How a batch went: rows closed, and rows left open because their payload cannot be replayed. */
export interface BatchResolution {
  closed: number;
  refused: number;
}

/**
 * Closes open dead letters (G8), one or a batch, with what must commit with the mark: a replay's outbox
 * message, so it is published exactly when the mark committed, and the failure groups' counters. Every
 * operator path (one dead letter, a filter, a group) closes through here; the audit entry is the caller's.
 */
@Injectable()
export class DeadLetterResolutions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly groups: DeadLetterGroups,
  ) {}

  /**
   * One dead letter in a transaction of its own, locked first so a concurrent close waits and then finds
   * it closed. `alsoCommit` runs in that transaction once the row is closed (the caller's audit entry).
   */
  async close(
    id: string,
    status: Resolution,
    by: string,
    note: string | null,
    alsoCommit?: (manager: EntityManager, closed: DeadLetter) => Promise<void>,
  ): Promise<DeadLetter> {
    return this.dataSource.transaction(async (manager) => {
      const row = await lockOpenDeadLetter(manager, id);
      if (status === 'replayed') await this.addReplay(manager, row);
      Object.assign(row, resolution(status, by, note));
      const saved = await manager.save(DeadLetter, row);
      await this.groups.resolved(manager, [row.fingerprint], status);
      await alsoCommit?.(manager, saved);
      return saved;
    });
  }

  /**
   * Every open dead letter matching the filter, locked and closed in one transaction; `alsoCommit` gets
   * their ids in it. Returns how many were closed.
   */
  async closeMatching(
    filter: DeadLetterFilter,
    status: Resolution,
    by: string,
    note: string | null,
    alsoCommit: (manager: EntityManager, ids: string[]) => Promise<void>,
  ): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await whereDeadLetterMatches(
        manager.getRepository(DeadLetter).createQueryBuilder('dl').select(['dl.id', 'dl.fingerprint']),
        { ...filter, status: 'open' },
      )
        .setLock('pessimistic_write')
        .getMany();
      if (rows.length === 0) return 0;
      const { closed } = await this.closeAll(manager, rows, status, by, note);
      await alsoCommit(
        manager,
        rows.map((row) => row.id),
      );
      return closed;
    });
  }

  /**
   * Rows the caller locked FOR UPDATE in `manager`'s transaction. A row whose payload cannot be replayed
   * stays open and counts as refused; the rest are marked by one UPDATE: `save` would read and write each
   * row, and bound a group replay at ~1,000 rows/s.
   */
  async closeAll(
    manager: EntityManager,
    rows: DeadLetter[],
    status: Resolution,
    by: string,
    note: string | null,
  ): Promise<BatchResolution> {
    const closing: DeadLetter[] = [];
    for (const row of rows) {
      try {
        if (status === 'replayed') await this.addReplay(manager, row);
        closing.push(row);
      } catch (error) {
        if (!(error instanceof PayloadNotReplayableError)) throw error;
      }
    }
    await markClosed(manager, closing, status, by, note);
    await this.groups.resolved(
      manager,
      closing.map((row) => row.fingerprint),
      status,
    );
    return { closed: closing.length, refused: rows.length - closing.length };
  }

  /** The replay goes into the outbox under a new message id, which the row keeps. */
  private async addReplay(manager: EntityManager, row: DeadLetter): Promise<void> {
    const message = replayMessageOf(row);
    await this.outbox.add(manager, message);
    row.replayMessageId = message.messageId;
  }
}

async function markClosed(
  manager: EntityManager,
  rows: DeadLetter[],
  status: Resolution,
  by: string,
  note: string | null,
): Promise<void> {
  if (rows.length === 0) return;
  const replayed = rows.filter((row) => row.replayMessageId);
  const replayCase = replayed.length
    ? `CASE id ${replayed.map(() => 'WHEN ? THEN ?').join(' ')} ELSE replay_message_id END`
    : 'replay_message_id';
  await manager.query(
    /* sql */ `UPDATE dead_letter
       SET status = ?, resolved_by = ?, resolved_at = UTC_TIMESTAMP(3), resolution_note = ?,
           replay_message_id = ${replayCase}
     WHERE id IN (?) AND status = 'open'`,
    [
      status,
      by,
      note,
      ...replayed.flatMap((row) => [row.id, row.replayMessageId]),
      rows.map((row) => row.id),
    ],
  );
}
