import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BillingSchema1764072200000 implements MigrationInterface {
  name = 'BillingSchema1764072200000';

  async up(db: QueryRunner): Promise<void> {
    // No unique index on message_id on purpose: duplicates must be prevented by the messaging library.
    await db.query(/* sql */ `
      CREATE TABLE billing_ledger (
        id BIGINT NOT NULL AUTO_INCREMENT,
        message_id VARCHAR(64) NOT NULL,
        order_id CHAR(36) NOT NULL,
        event_type VARCHAR(32) NOT NULL,
        seq INT NOT NULL,
        handled_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        KEY ix_billing_ledger_order (order_id, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE billing_ledger');
  }
}
