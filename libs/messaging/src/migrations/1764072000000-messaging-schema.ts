import type { MigrationInterface, QueryRunner } from 'typeorm';

/** outbox_message, dead_letter, inbox_message. Plain SQL that MySQL 8.4 and MariaDB 10.11 both accept. */
export class MessagingSchema1764072000000 implements MigrationInterface {
  name = 'MessagingSchema1764072000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      CREATE TABLE outbox_message (
        id BIGINT NOT NULL AUTO_INCREMENT,
        message_id VARCHAR(64) NOT NULL,
        exchange VARCHAR(255) NOT NULL,
        routing_key VARCHAR(255) NOT NULL,
        partition_key VARCHAR(255) NULL,
        \`partition\` INT NULL,
        payload LONGTEXT NOT NULL,
        headers TEXT NULL,
        attempts INT NOT NULL DEFAULT 0,
        next_attempt_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        locked_by VARCHAR(128) NULL,
        locked_until DATETIME(3) NULL,
        last_error VARCHAR(1024) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        sent_at DATETIME(3) NULL,
        PRIMARY KEY (id),
        UNIQUE KEY ux_outbox_message_id (message_id),
        KEY ix_outbox_claim (sent_at, next_attempt_at, id),
        KEY ix_outbox_partition (\`partition\`, sent_at, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await db.query(/* sql */ `
      CREATE TABLE dead_letter (
        id BIGINT NOT NULL AUTO_INCREMENT,
        message_id VARCHAR(64) NOT NULL,
        origin VARCHAR(16) NOT NULL,
        exchange VARCHAR(255) NULL,
        queue VARCHAR(255) NULL,
        routing_key VARCHAR(255) NULL,
        consumer VARCHAR(128) NULL,
        partition_key VARCHAR(255) NULL,
        payload LONGTEXT NOT NULL,
        headers TEXT NULL,
        reason VARCHAR(64) NOT NULL,
        error TEXT NULL,
        attempts INT NOT NULL DEFAULT 0,
        first_failed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        last_failed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        status VARCHAR(16) NOT NULL DEFAULT 'open',
        resolved_by VARCHAR(128) NULL,
        resolved_at DATETIME(3) NULL,
        resolution_note TEXT NULL,
        replay_message_id VARCHAR(64) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        KEY ix_dead_letter_status (status, origin, id),
        KEY ix_dead_letter_queue (queue),
        KEY ix_dead_letter_message_id (message_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await db.query(/* sql */ `
      CREATE TABLE inbox_message (
        consumer VARCHAR(128) NOT NULL,
        message_id VARCHAR(64) NOT NULL,
        handled_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (consumer, message_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE inbox_message');
    await db.query('DROP TABLE dead_letter');
    await db.query('DROP TABLE outbox_message');
  }
}
