import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Relay indexes that follow its queries. `ix_outbox_claim` becomes (sent_at, id, next_attempt_at): the
 * claim reads unsent rows in id order and stops after its batch, skipping backed-off rows inside the
 * index; with (sent_at, next_attempt_at, id) MariaDB walked the primary key through every retained sent
 * row instead (cost grew with the retention window). `ix_outbox_partition` loses `sent_at`: no query
 * finds rows through it by send state, and every mark-sent had to rewrite its entries.
 * MySQL 8.4 and MariaDB 10.11.
 */
export class OutboxClaimIndexes1764500000000 implements MigrationInterface {
  name = 'OutboxClaimIndexes1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      ALTER TABLE outbox_message
        DROP INDEX ix_outbox_claim,
        ADD INDEX ix_outbox_claim (sent_at, id, next_attempt_at),
        DROP INDEX ix_outbox_partition,
        ADD INDEX ix_outbox_partition (\`partition\`, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      ALTER TABLE outbox_message
        DROP INDEX ix_outbox_claim,
        ADD INDEX ix_outbox_claim (sent_at, next_attempt_at, id),
        DROP INDEX ix_outbox_partition,
        ADD INDEX ix_outbox_partition (\`partition\`, sent_at, id)`);
  }
}
