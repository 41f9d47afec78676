import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** A claimed row as the relay needs it to publish. */
export interface ClaimedRow {
  id: string;
  messageId: string;
  exchange: string;
  routingKey: string;
  partitionKey: string | null;
  /** The payload's bytes as stored, published as they are: never decoded into a string and encoded back. */
  payload: Buffer;
  headers: string | null;
  attempts: number;
  createdAt: Date;
}

/**
 * What the relay keeps of a claimed row while its message is in flight and until it is settled. The
 * payload and headers went out in the message; parking reads them back from the row
 * (`OutboxClaims.parkedContent`). Thousands of rows are in flight at once and most outlive a young
 * generation collection, so every byte kept is one the old generation collects (docs/performance.md).
 */
export type InFlightRow = Pick<
  ClaimedRow,
  'id' | 'messageId' | 'exchange' | 'routingKey' | 'partitionKey' | 'attempts'
>;

/** A claimed row's payload, headers and creation time, read back to park it. */
export interface ParkedContent {
  payload: string;
  headers: string | null;
  createdAt: Date;
}

/**
 * Rows claimed for publishing. `leased` settles when their leases are committed; the rows may be
 * published before that (their row locks hold them until then), but not marked sent.
 */
export interface Claim {
  rows: ClaimedRow[];
  leased: Promise<void>;
}

/** A failed attempt to write back: the row's new attempt count, when to retry, and why. */
export interface BackOff {
  id: string;
  attempts: number;
  delayMs: number;
  error: string;
}

interface ClaimedRecord {
  id: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  partition_key: string | null;
  payload: Buffer;
  headers: string | null;
  attempts: number;
  created_at: Date;
}

/**
 * The relay's SQL against `outbox_message`. Claims are short READ COMMITTED transactions; publishing
 * happens after they committed, and settlements are written in batches.
 */
@Injectable()
export class OutboxClaims {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Leases up to `limit` due rows in id order: unkeyed rows freely (SKIP LOCKED splits them between
   * relays); a keyed row only if this relay owns its partition and no earlier row of its key is unsent,
   * so one message per key is in flight and a failed or backing-off message holds its successors back.
   * Scheduled rows are held (`held = 1`) until due and skipped by the index, never scanned; a held row
   * still counts as an earlier unsent row of its key, so it holds later messages of that key back.
   * `afterId` starts the index scan after that id ('0': from the first unsent row): a drain continuing
   * after its last claim does not step again over the rows it holds leased, nor over the entries its
   * marks left delete-marked until InnoDB's purge removes them (docs/adr/0205). The index is forced:
   * left to itself, MariaDB reads it by `(sent_at, held)` alone and filters `id` row by row, so the scan
   * starts at the first unsent row after all and keeps every entry it stepped over locked until the claim
   * commits, the entries of rows this relay is about to mark sent among them (docs/databases.md).
   */
  async claim(owner: string, limit: number, leaseMs: number, afterId = '0'): Promise<Claim> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let records: ClaimedRecord[];
    try {
      await runner.startTransaction('READ COMMITTED');
      records = (await runner.query(
        /* sql */ `
        SELECT o.id, o.message_id, o.exchange, o.routing_key, o.partition_key,
               CAST(o.payload AS BINARY) AS payload, o.headers, o.attempts, o.created_at
        FROM outbox_message o FORCE INDEX (ix_outbox_claim)
        WHERE o.sent_at IS NULL
          AND o.held = 0
          AND o.id > CAST(? AS SIGNED)
          AND o.next_attempt_at <= UTC_TIMESTAMP(3)
          AND (o.locked_until IS NULL OR o.locked_until < UTC_TIMESTAMP(3))
          AND (o.\`partition\` IS NULL OR (
            EXISTS (SELECT 1 FROM outbox_partition_lease l
                    WHERE l.\`partition\` = o.\`partition\` AND l.owner = ? AND l.lease_until > UTC_TIMESTAMP(3))
            AND NOT EXISTS (SELECT 1 FROM outbox_message e
                            WHERE e.partition_key = o.partition_key AND e.sent_at IS NULL AND e.id < o.id)))
        ORDER BY o.id
        LIMIT ?
        FOR UPDATE SKIP LOCKED`,
        [afterId, owner, limit],
      )) as ClaimedRecord[];
      records = await this.withoutRowsBehindUnsent(runner, records);
    } catch (error) {
      await this.endClaim(runner, 'rollback');
      throw error;
    }
    const ids = records.map((r) => r.id);
    return { rows: records.map(toClaimedRow), leased: this.lease(runner, owner, ids, leaseMs) };
  }

  /**
   * Drops the keyed rows that have an earlier unsent row of their key after all. The claim's locking
   * read sees every row committed while it runs, but its `NOT EXISTS` subquery reads the snapshot taken
   * when the statement first ran it: when a transaction that wrote several rows of one key commits
   * mid-statement, the claim returns its later rows too, or only them if the first was still locked by
   * the writer as the scan passed it (published before it: a key out of order). A second statement reads
   * a fresh snapshot (READ COMMITTED) that holds every commit the claim saw (docs/publishing.md).
   */
  private async withoutRowsBehindUnsent(
    runner: QueryRunner,
    records: ClaimedRecord[],
  ): Promise<ClaimedRecord[]> {
    const keyed = records.filter((r) => r.partition_key !== null).map((r) => String(r.id));
    if (keyed.length === 0) return records;
    const sql = /* sql */ `
      SELECT o.id FROM outbox_message o
      WHERE o.id IN (${idList(keyed)})
        AND EXISTS (SELECT 1 FROM outbox_message e
                    WHERE e.partition_key = o.partition_key AND e.sent_at IS NULL AND e.id < o.id)`;
    const behind = (await runner.query(sql)) as Array<{ id: string | number }>;
    if (behind.length === 0) return records;
    const dropped = new Set(behind.map((r) => String(r.id)));
    return records.filter((r) => !dropped.has(String(r.id)));
  }

  /**
   * Writes the leases and commits, beside the publishing of the rows it covers: until it commits, the
   * transaction's row locks keep other relays off them (SKIP LOCKED), and a relay that dies first
   * publishes nothing more than one that dies before its mark-sent commit (G2: at least once).
   */
  private async lease(runner: QueryRunner, owner: string, ids: string[], leaseMs: number): Promise<void> {
    try {
      if (ids.length > 0) {
        await runner.query(
          /* sql */ `UPDATE outbox_message
             SET locked_by = ?, locked_until = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)
           WHERE id IN (${idList(ids)})`,
          [owner, leaseMs * 1000],
        );
      }
      await this.endClaim(runner, 'commit');
    } catch (error) {
      await this.endClaim(runner, 'rollback');
      throw error;
    }
  }

  private async endClaim(runner: QueryRunner, how: 'commit' | 'rollback'): Promise<void> {
    try {
      if (how === 'commit') await runner.commitTransaction();
      else if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    } finally {
      await runner.release();
    }
  }

  /** Acked and routed: sent (kept for the retention window, or deleted at once when it is 0). */
  async markSent(ids: string[], deleteAtOnce: boolean): Promise<void> {
    if (ids.length === 0) return;
    if (deleteAtOnce) {
      await this.dataSource.query(/* sql */ `DELETE FROM outbox_message WHERE id IN (${idList(ids)})`);
    } else {
      // locked_by stays: it records which relay published the row. locked_until's NULL frees the bytes
      // sent_at takes, so the row keeps its size and never splits its page (ADR 0211).
      await this.dataSource.query(/* sql */ `UPDATE outbox_message
           SET sent_at = UTC_TIMESTAMP(3), locked_until = NULL, attempts = attempts + 1, last_error = NULL
         WHERE id IN (${idList(ids)})`);
    }
  }

  async backOff(failures: BackOff[]): Promise<void> {
    for (const failure of failures) {
      await this.dataSource.query(
        /* sql */ `UPDATE outbox_message
           SET attempts = ?, last_error = ?, locked_by = '', locked_until = DEFAULT,
               next_attempt_at = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)
         WHERE id = ? AND sent_at IS NULL`,
        [failure.attempts, failure.error.slice(0, 1024), failure.delayMs * 1000, failure.id],
      );
    }
  }

  /** Gives rows back without counting an attempt (broker outage, shutdown). */
  async release(owner: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      /* sql */ `UPDATE outbox_message SET locked_by = '', locked_until = DEFAULT
       WHERE id IN (${idList(ids)}) AND locked_by = ? AND sent_at IS NULL`,
      [owner],
    );
  }

  /** The content of a row about to be parked, locked in the parking transaction; null when it is gone. */
  async parkedContent(manager: EntityManager, id: string): Promise<ParkedContent | null> {
    const [row] = await manager.query<Array<{ payload: string; headers: string | null; created_at: Date }>>(
      /* sql */ `SELECT payload, headers, created_at FROM outbox_message WHERE id = ? FOR UPDATE`,
      [id],
    );
    return row ? { payload: row.payload, headers: row.headers, createdAt: row.created_at } : null;
  }

  /** Removes a row that was moved to dead_letter, inside that transaction. */
  async remove(manager: EntityManager, id: string): Promise<void> {
    await manager.query(/* sql */ `DELETE FROM outbox_message WHERE id = ?`, [id]);
  }

  /** Deletes up to `limit` rows sent more than `retentionMs` ago; returns how many. */
  async purgeSent(retentionMs: number, limit: number): Promise<number> {
    const result = await this.dataSource.query<{ affectedRows: number }>(
      /* sql */ `DELETE FROM outbox_message
       WHERE sent_at IS NOT NULL AND sent_at < DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)
       ORDER BY sent_at LIMIT ?`,
      [retentionMs * 1000, limit],
    );
    return result.affectedRows;
  }

  /**
   * Unsent due rows and the age of the oldest, measured on the database clock. A scheduled row counts
   * from its due time: one scheduled for tomorrow is neither pending nor stuck today.
   */
  async pendingStats(): Promise<{ pending: number; oldestAgeMs: number }> {
    const [row] = await this.dataSource.query<Array<{ pending: string; oldest_us: string }>>(/* sql */ `
      SELECT COUNT(*) AS pending,
             COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(COALESCE(deliver_at, created_at)), UTC_TIMESTAMP(3)), 0)
               AS oldest_us
      FROM outbox_message WHERE sent_at IS NULL AND held = 0`);
    return { pending: Number(row.pending), oldestAgeMs: Number(row.oldest_us) / 1000 };
  }
}

const OUTBOX_ID = /^[1-9][0-9]{0,19}$/;

/**
 * Claimed ids as a SQL list. They are BIGINT ids read back as digit strings; each is checked here
 * instead of escaped as a quoted string by the driver, two strings per id and statement at a claim's
 * 2,000 ids (docs/performance.md, relay RSS). Anything else is refused, never spliced into SQL.
 */
function idList(ids: string[]): string {
  for (const id of ids) {
    if (!OUTBOX_ID.test(id)) throw new Error(`not an outbox id: ${JSON.stringify(id)}`);
  }
  return ids.join(',');
}

/** Distinct exchange and routing-key strings kept at most; beyond it, strings are used as read. */
const NAMES_KEPT = 1000;
const names = new Map<string, string>();

/**
 * One string per distinct exchange or routing key: the driver reads a fresh copy for each row, and the
 * relay keeps these while a message is in flight, thousands of identical copies at a time.
 */
function shared(name: string): string {
  const kept = names.get(name);
  if (kept !== undefined) return kept;
  if (names.size < NAMES_KEPT) names.set(name, name);
  return name;
}

function toClaimedRow(r: ClaimedRecord): ClaimedRow {
  return {
    id: String(r.id),
    messageId: r.message_id,
    exchange: shared(r.exchange),
    routingKey: shared(r.routing_key),
    partitionKey: r.partition_key,
    payload: r.payload,
    headers: r.headers,
    attempts: Number(r.attempts),
    createdAt: r.created_at,
  };
}
