import type { MigrationInterface, QueryRunner } from 'typeorm';
import { failureCauseOf } from '../dead-letters/dead-letter-cause';
import { REBUILD_GROUPS_SQL } from '../dead-letters/dead-letter-groups';
import { failureFingerprint } from '../dead-letters/failure-fingerprint';

const BACKFILL_BATCH = 1000;

/**
 * Failure groups, edit-and-retry and the admin audit. `fingerprint` groups dead letters of one cause
 * (ix_dead_letter_group serves the groups view and a group's rows in id order); `edited_payload` keeps an
 * operator's correction beside the original `payload`. `admin_audit` records every admin action.
 * `dead_letter_action` holds the progress of a group replay or discard run in background batches.
 * MySQL 8.4 and MariaDB 10.11.
 */
export class DeadLetterGroupsAndAudit1764800000000 implements MigrationInterface {
  name = 'DeadLetterGroupsAndAudit1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      ALTER TABLE dead_letter
        ADD COLUMN fingerprint CHAR(16) NULL,
        ADD COLUMN edited_payload LONGTEXT NULL,
        ADD COLUMN edited_by VARCHAR(128) NULL,
        ADD COLUMN edited_at DATETIME(3) NULL,
        ADD INDEX ix_dead_letter_group (status, fingerprint, id)`);
    await db.query(/* sql */ `
      CREATE TABLE dead_letter_group (
        fingerprint CHAR(16) NOT NULL,
        origin VARCHAR(16) NOT NULL,
        source VARCHAR(255) NULL,
        reason VARCHAR(64) NOT NULL,
        error_class VARCHAR(128) NULL,
        normalized_error VARCHAR(512) NULL,
        example_error TEXT NULL,
        example_id BIGINT NULL,
        open_count INT NOT NULL DEFAULT 0,
        replayed_count INT NOT NULL DEFAULT 0,
        discarded_count INT NOT NULL DEFAULT 0,
        first_seen DATETIME(3) NOT NULL,
        last_seen DATETIME(3) NOT NULL,
        queues VARCHAR(1024) NULL,
        PRIMARY KEY (fingerprint),
        KEY ix_dead_letter_group_seen (last_seen)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await db.query(/* sql */ `
      CREATE TABLE dead_letter_action (
        id BIGINT NOT NULL AUTO_INCREMENT,
        fingerprint CHAR(16) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        actor VARCHAR(128) NOT NULL,
        note TEXT NULL,
        state VARCHAR(16) NOT NULL DEFAULT 'running',
        total INT NOT NULL DEFAULT 0,
        done INT NOT NULL DEFAULT 0,
        refused INT NOT NULL DEFAULT 0,
        last_id BIGINT NOT NULL DEFAULT 0,
        max_id BIGINT NOT NULL DEFAULT 0,
        error TEXT NULL,
        started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        finished_at DATETIME(3) NULL,
        PRIMARY KEY (id),
        KEY ix_dead_letter_action_group (fingerprint, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await db.query(/* sql */ `
      CREATE TABLE admin_audit (
        id BIGINT NOT NULL AUTO_INCREMENT,
        at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        actor VARCHAR(128) NOT NULL,
        token VARCHAR(16) NOT NULL,
        action VARCHAR(32) NOT NULL,
        target VARCHAR(255) NULL,
        ids TEXT NULL,
        detail TEXT NULL,
        before_value LONGTEXT NULL,
        after_value LONGTEXT NULL,
        PRIMARY KEY (id),
        KEY ix_admin_audit_action (action, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await backfillGroups(db);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE admin_audit');
    await db.query('DROP TABLE dead_letter_action');
    await db.query('DROP TABLE dead_letter_group');
    await db.query(/* sql */ `
      ALTER TABLE dead_letter
        DROP INDEX ix_dead_letter_group,
        DROP COLUMN edited_at,
        DROP COLUMN edited_by,
        DROP COLUMN edited_payload,
        DROP COLUMN fingerprint`);
  }
}

interface LegacyRow {
  id: string;
  origin: string;
  exchange: string | null;
  consumer: string | null;
  queue: string | null;
  reason: string;
  error: string | null;
}

/** Dead letters parked before this migration get their fingerprint, and the groups their counts. */
async function backfillGroups(db: QueryRunner): Promise<void> {
  let after = '0';
  for (;;) {
    const rows = (await db.query(
      /* sql */ `SELECT id, origin, exchange, consumer, queue, reason, error FROM dead_letter
       WHERE id > ? ORDER BY id LIMIT ?`,
      [after, BACKFILL_BATCH],
    )) as LegacyRow[];
    if (rows.length === 0) break;
    const byPrint = new Map<string, string[]>();
    for (const row of rows) {
      const { fingerprint } = failureFingerprint(failureCauseOf({ ...row, errorClass: null }));
      byPrint.set(fingerprint, [...(byPrint.get(fingerprint) ?? []), String(row.id)]);
    }
    for (const [fingerprint, ids] of byPrint) {
      await db.query(`UPDATE dead_letter SET fingerprint = ? WHERE id IN (?)`, [fingerprint, ids]);
    }
    after = String(rows[rows.length - 1].id);
  }
  await db.query(REBUILD_GROUPS_SQL);
}
