import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lease columns keep one width for a row's whole life (ADR 0211): `locked_by` a fixed-width ASCII
 * column, `locked_until` written at insert with a time long past ("not leased"). The relay's lease
 * `UPDATE` then rewrites a row in place instead of growing it; grown rows no longer fit the pages that
 * inserts filled, and every lease split pages (~4.8 KB of redo per row instead of ~0.2 KB,
 * docs/databases.md). Rebuilds `outbox_message`. `locked_by` stays nullable: during a rolling deploy the
 * instances still on the previous version write NULL into it. MySQL 8.4 and MariaDB 10.11.
 */
export class OutboxLeaseInPlace1765000000000 implements MigrationInterface {
  name = 'OutboxLeaseInPlace1765000000000';

  async up(db: QueryRunner): Promise<void> {
    // An owner that does not fit the new column (over 64 bytes, or any multi-byte character) loses its
    // name: a lease it holds then expires instead of being released, and a sent row no longer says who
    // sent it.
    await db.query(/* sql */ `
      UPDATE outbox_message SET locked_by = ''
      WHERE locked_by IS NULL OR LENGTH(locked_by) > 64 OR LENGTH(locked_by) <> CHAR_LENGTH(locked_by)`);
    await db.query(/* sql */ `
      ALTER TABLE outbox_message
        MODIFY locked_by CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL DEFAULT '',
        MODIFY locked_until DATETIME(3) NULL DEFAULT '1970-01-01 00:00:01.000'`);
    await db.query(/* sql */ `
      UPDATE outbox_message SET locked_until = DEFAULT WHERE locked_until IS NULL AND sent_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      ALTER TABLE outbox_message
        MODIFY locked_by VARCHAR(128) NULL,
        MODIFY locked_until DATETIME(3) NULL DEFAULT NULL`);
    await db.query(/* sql */ `UPDATE outbox_message SET locked_by = NULL WHERE locked_by = ''`);
    await db.query(/* sql */ `
      UPDATE outbox_message SET locked_until = NULL WHERE locked_until = '1970-01-01 00:00:01.000'`);
  }
}
