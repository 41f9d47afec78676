import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** A scheduled outbox row that is not due yet. */
export interface ScheduledMessage {
  id: string;
  messageId: string;
  exchange: string;
  routingKey: string;
  key: string | null;
  deliverAt: Date;
  createdAt: Date;
}

/** Keyset position in the listing: the last row of the previous page. */
export interface ScheduledCursor {
  deliverAt: Date;
  id: string;
}

interface ScheduledRecord {
  id: string;
  message_id: string;
  exchange: string;
  routing_key: string;
  partition_key: string | null;
  deliver_at: Date;
  created_at: Date;
}

/** The admin side of scheduling: pending scheduled rows in due order, and cancelling one before it is due. */
@Injectable()
export class ScheduledMessages {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Due order through ix_outbox_schedule; `after` continues from a previous page (keyset, no OFFSET). */
  async list(limit: number, after?: ScheduledCursor): Promise<ScheduledMessage[]> {
    const rows = await this.dataSource.query<ScheduledRecord[]>(
      /* sql */ `SELECT id, message_id, exchange, routing_key, partition_key, deliver_at, created_at
       FROM outbox_message
       WHERE held = 1 ${after ? 'AND (deliver_at > ? OR (deliver_at = ? AND id > ?))' : ''}
       ORDER BY deliver_at, id LIMIT ?`,
      after ? [after.deliverAt, after.deliverAt, after.id, limit] : [limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      messageId: r.message_id,
      exchange: r.exchange,
      routingKey: r.routing_key,
      key: r.partition_key,
      deliverAt: r.deliver_at,
      createdAt: r.created_at,
    }));
  }

  async countPending(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ n: string }>>(
      /* sql */ `SELECT COUNT(*) AS n FROM outbox_message WHERE held = 1`,
    );
    return Number(row.n);
  }

  /**
   * Deletes a scheduled row that no relay has claimed; returns the row as it was, or null when it is
   * gone or already claimed. Held rows are invisible to the claim; a released one is taken only while
   * unleased, and a claim in progress holds its row lock, so this DELETE waits and then finds it leased.
   */
  async cancel(id: string): Promise<ScheduledMessage | null> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query<ScheduledRecord[]>(
        /* sql */ `SELECT id, message_id, exchange, routing_key, partition_key, deliver_at, created_at
         FROM outbox_message
         WHERE id = ? AND sent_at IS NULL AND deliver_at IS NOT NULL
           AND (held = 1 OR (COALESCE(locked_by, '') = '' AND attempts = 0))
         FOR UPDATE`,
        [id],
      );
      if (!row) return null;
      await manager.query(/* sql */ `DELETE FROM outbox_message WHERE id = ?`, [id]);
      return {
        id: String(row.id),
        messageId: row.message_id,
        exchange: row.exchange,
        routingKey: row.routing_key,
        key: row.partition_key,
        deliverAt: row.deliver_at,
        createdAt: row.created_at,
      };
    });
  }
}
