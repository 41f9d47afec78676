import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled outbox rows. `deliver_at` is when a scheduled row becomes due (kept for the admin listing);
 * `held` is 1 until it is due. The claim index leads with (sent_at, held), so the relay's claim reads
 * only released rows in id order and never walks rows scheduled for later; `ix_outbox_schedule` finds the
 * rows that came due and the nearest next one. MySQL 8.4 and MariaDB 10.11.
 */
export class OutboxScheduling1764700000000 implements MigrationInterface {
  name = 'OutboxScheduling1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      ALTER TABLE outbox_message
        ADD COLUMN deliver_at DATETIME(3) NULL,
        ADD COLUMN held TINYINT(1) NOT NULL DEFAULT 0,
        DROP INDEX ix_outbox_claim,
        ADD INDEX ix_outbox_claim (sent_at, held, id, next_attempt_at),
        ADD INDEX ix_outbox_schedule (held, deliver_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      ALTER TABLE outbox_message
        DROP INDEX ix_outbox_schedule,
        DROP INDEX ix_outbox_claim,
        ADD INDEX ix_outbox_claim (sent_at, id, next_attempt_at),
        DROP COLUMN held,
        DROP COLUMN deliver_at`);
  }
}
