import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { DeadLetterStatus } from './dead-letter.entity';
import type { FailureCause } from './failure-fingerprint';

/** One failure group: dead letters of one cause, with counts kept as they are parked and resolved. */
export interface DeadLetterGroup {
  fingerprint: string;
  origin: string;
  source: string | null;
  reason: string;
  errorClass: string | null;
  normalizedError: string | null;
  exampleError: string | null;
  exampleId: string | null;
  open: number;
  replayed: number;
  discarded: number;
  firstSeen: Date;
  lastSeen: Date;
  /** The queues (consume side) or exchanges (publish side) its dead letters came from. */
  queues: string[];
}

interface GroupRecord {
  fingerprint: string;
  origin: string;
  source: string | null;
  reason: string;
  error_class: string | null;
  normalized_error: string | null;
  example_error: string | null;
  example_id: string | null;
  open_count: number;
  replayed_count: number;
  discarded_count: number;
  first_seen: Date;
  last_seen: Date;
  queues: string | null;
}

/** A dead letter as the group counters need it. */
export interface GroupMember {
  id: string;
  fingerprint: string;
  at: Date;
  queue: string | null;
  error: string | null;
}

const MAX_QUEUES_TEXT = 900;

/**
 * Rebuilds `dead_letter_group` counts from `dead_letter` (rows with a fingerprint): run by the migration
 * for rows parked before it, and usable after manual SQL on `dead_letter`. Needs an empty group table.
 */
export const REBUILD_GROUPS_SQL = /* sql */ `
  INSERT INTO dead_letter_group (fingerprint, origin, source, reason, example_error, example_id,
    open_count, replayed_count, discarded_count, first_seen, last_seen, queues)
  SELECT fingerprint, MIN(origin), MIN(IF(origin = 'publish', exchange, COALESCE(consumer, queue))),
         MIN(reason), SUBSTRING(MAX(error), 1, 2000), MAX(id), SUM(status = 'open'),
         SUM(status = 'replayed'), SUM(status = 'discarded'), MIN(first_failed_at), MAX(last_failed_at),
         SUBSTRING(GROUP_CONCAT(DISTINCT COALESCE(queue, exchange)), 1, 1000)
  FROM dead_letter WHERE fingerprint IS NOT NULL GROUP BY fingerprint`;

/**
 * The `dead_letter_group` table: per fingerprint, the counts by status and first/last seen, updated in
 * the transaction that parks or resolves a dead letter. The groups view reads this small table instead
 * of aggregating `dead_letter`, so it costs the same with 1,000 or 100,000 dead letters.
 */
@Injectable()
export class DeadLetterGroups {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A dead letter was parked: count it into its group, creating the group on its first member. */
  async parked(
    manager: EntityManager,
    member: GroupMember,
    cause: FailureCause,
    normalized: string,
  ): Promise<void> {
    await manager.query(
      /* sql */ `INSERT INTO dead_letter_group
         (fingerprint, origin, source, reason, error_class, normalized_error, example_error, example_id,
          open_count, replayed_count, discarded_count, first_seen, last_seen, queues)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, 0, ?, ?, ?)
       ON DUPLICATE KEY UPDATE
         open_count = open_count + 1,
         last_seen = GREATEST(last_seen, VALUES(last_seen)),
         example_error = VALUES(example_error),
         example_id = VALUES(example_id),
         queues = IF(VALUES(queues) IS NULL OR FIND_IN_SET(VALUES(queues), COALESCE(queues, '')) > 0
                     OR CHAR_LENGTH(COALESCE(queues, '')) > ${MAX_QUEUES_TEXT},
                     queues, CONCAT_WS(',', queues, VALUES(queues)))`,
      [
        member.fingerprint,
        cause.origin,
        cause.source?.slice(0, 255) ?? null,
        cause.reason,
        cause.errorClass?.slice(0, 128) ?? null,
        normalized,
        member.error?.slice(0, 2000) ?? null,
        member.id,
        member.at,
        member.at,
        member.queue?.replace(/,/g, ' ') ?? null,
      ],
    );
  }

  /** Open dead letters of these groups were replayed or discarded (one entry per dead letter). */
  async resolved(
    manager: EntityManager,
    fingerprints: Array<string | null>,
    status: Exclude<DeadLetterStatus, 'open'>,
  ): Promise<void> {
    const perGroup = new Map<string, number>();
    for (const fp of fingerprints) if (fp) perGroup.set(fp, (perGroup.get(fp) ?? 0) + 1);
    const column = status === 'replayed' ? 'replayed_count' : 'discarded_count';
    for (const [fingerprint, n] of perGroup) {
      await manager.query(
        /* sql */ `UPDATE dead_letter_group
           SET open_count = GREATEST(open_count - ?, 0), ${column} = ${column} + ?
         WHERE fingerprint = ?`,
        [n, n, fingerprint],
      );
    }
  }

  /** Groups with open dead letters first, most recent failure first. */
  async list(includeClosed = false): Promise<DeadLetterGroup[]> {
    const rows = await this.dataSource.query<
      GroupRecord[]
    >(/* sql */ `SELECT * FROM dead_letter_group ${includeClosed ? '' : 'WHERE open_count > 0'}
       ORDER BY open_count > 0 DESC, last_seen DESC LIMIT 500`);
    return rows.map(toGroup);
  }

  async get(fingerprint: string): Promise<DeadLetterGroup | null> {
    const [row] = await this.dataSource.query<GroupRecord[]>(
      /* sql */ `SELECT * FROM dead_letter_group WHERE fingerprint = ?`,
      [fingerprint],
    );
    return row ? toGroup(row) : null;
  }

  /** Dead letters per status over every group: the page header without counting `dead_letter`. */
  async totals(): Promise<Record<DeadLetterStatus, number>> {
    const [row] = await this.dataSource.query<
      Array<{ open: string; replayed: string; discarded: string }>
    >(/* sql */ `SELECT COALESCE(SUM(open_count), 0) AS open, COALESCE(SUM(replayed_count), 0) AS replayed,
              COALESCE(SUM(discarded_count), 0) AS discarded FROM dead_letter_group`);
    return { open: Number(row.open), replayed: Number(row.replayed), discarded: Number(row.discarded) };
  }
}

function toGroup(r: GroupRecord): DeadLetterGroup {
  return {
    fingerprint: r.fingerprint,
    origin: r.origin,
    source: r.source,
    reason: r.reason,
    errorClass: r.error_class,
    normalizedError: r.normalized_error,
    exampleError: r.example_error,
    exampleId: r.example_id === null ? null : String(r.example_id),
    open: Number(r.open_count),
    replayed: Number(r.replayed_count),
    discarded: Number(r.discarded_count),
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    queues: r.queues ? r.queues.split(',') : [],
  };
}
