import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable digest windows (docs/design.md, G7): one `alert_window` row per failure class says which
 * window is open, which dead letter was emailed at once, and which process has claimed the digest, so a
 * digest survives the crash of the process that saw the failures and two processes never both send it.
 * `ix_dead_letter_alert` serves the digest's count of a class's dead letters over a time range.
 * MySQL 8.4 and MariaDB 10.11.
 */
export class AlertWindows1764900000000 implements MigrationInterface {
  name = 'AlertWindows1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      CREATE TABLE alert_window (
        class_key CHAR(64) NOT NULL,
        origin VARCHAR(16) NOT NULL,
        source VARCHAR(255) NOT NULL,
        reason VARCHAR(64) NOT NULL,
        started_at DATETIME(3) NOT NULL,
        ends_at DATETIME(3) NULL,
        first_id BIGINT NULL,
        claimed_by VARCHAR(160) NULL,
        claimed_until DATETIME(3) NULL,
        PRIMARY KEY (class_key),
        KEY ix_alert_window_due (ends_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await db.query(
      /* sql */ `ALTER TABLE dead_letter ADD INDEX ix_dead_letter_alert (reason, origin, created_at)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE dead_letter DROP INDEX ix_dead_letter_alert');
    await db.query('DROP TABLE alert_window');
  }
}
