import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The dead letters of one alert class: side, where (exchange or queue), reason. */
export interface DeadLetterClass {
  origin: string;
  source: string;
  reason: string;
}

/** What a digest email says about a class's dead letters over a time range. */
export interface DeadLetterClassSummary {
  count: number;
  firstAt: Date | null;
  lastAt: Date | null;
  /** The first message ids in park order, at most the limit asked for. */
  messageIds: string[];
}

/**
 * The alert class's `source` as the dead-letter service names it when it raises the alert: the
 * exchange on the publish side, the queue (else the consumer) on the consume side.
 */
const SOURCE_SQL = `IF(origin = 'publish', COALESCE(exchange, ''), COALESCE(queue, consumer, ''))`;
const CLASS_SQL = `reason = ? AND origin = ? AND ${SOURCE_SQL} = ?`;

/** The reads the alerter needs from `dead_letter`, so alerting never writes its own SQL on that table. */
@Injectable()
export class DeadLetterAlertQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The first `chars` characters of a parked payload (with ` …` when cut), or undefined. */
  async payloadExcerpt(id: string, chars: number): Promise<string | undefined> {
    const rows: Array<{ excerpt: string; length: string | number }> = await this.dataSource.query(
      /* sql */ 'SELECT LEFT(payload, ?) AS excerpt, CHAR_LENGTH(payload) AS length FROM dead_letter WHERE id = ?',
      [chars, id],
    );
    if (rows.length === 0) return undefined;
    return rows[0].excerpt + (Number(rows[0].length) > chars ? ' …' : '');
  }

  /** When dead letter `id` was parked, or null when it is gone. */
  async parkedAt(id: string): Promise<Date | null> {
    const rows = await this.dataSource.query<Array<{ created_at: Date }>>(
      /* sql */ 'SELECT created_at FROM dead_letter WHERE id = ?',
      [id],
    );
    return rows[0]?.created_at ?? null;
  }

  /** Dead letters of the class parked in [from, to), except `exceptId` (already emailed on its own). */
  async summary(
    cls: DeadLetterClass,
    range: { from: Date; to: Date; exceptId: string | null },
    maxMessageIds: number,
  ): Promise<DeadLetterClassSummary> {
    const where = `${CLASS_SQL} AND created_at >= ? AND created_at < ? AND id <> ?`;
    const params = [cls.reason, cls.origin, cls.source, range.from, range.to, range.exceptId ?? '0'];
    const [totals] = await this.dataSource.query<
      Array<{ n: string | number; first_at: Date | null; last_at: Date | null }>
    >(
      /* sql */ `SELECT COUNT(*) AS n, MIN(created_at) AS first_at, MAX(created_at) AS last_at
       FROM dead_letter WHERE ${where}`,
      params,
    );
    const count = Number(totals.n);
    const ids =
      count === 0
        ? []
        : await this.dataSource.query<Array<{ message_id: string }>>(
            /* sql */ `SELECT message_id FROM dead_letter WHERE ${where} ORDER BY id LIMIT ?`,
            [...params, maxMessageIds],
          );
    return {
      count,
      firstAt: totals.first_at,
      lastAt: totals.last_at,
      messageIds: ids.map((row) => row.message_id),
    };
  }

  /** Whether the class parked anything at or after `from`, except `exceptId`. */
  async anySince(cls: DeadLetterClass, from: Date, exceptId: string | null): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      /* sql */ `SELECT 1 FROM dead_letter WHERE ${CLASS_SQL} AND created_at >= ? AND id <> ? LIMIT 1`,
      [cls.reason, cls.origin, cls.source, from, exceptId ?? '0'],
    );
    return rows.length > 0;
  }
}
