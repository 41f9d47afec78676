import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Relay partition ownership (one owner per partition at a time) and the index that lets the claim query
 * find, per ordering key, whether an earlier row is still unsent. MySQL 8.4 and MariaDB 10.11.
 */
export class OutboxRelayPartitions1764300000000 implements MigrationInterface {
  name = 'OutboxRelayPartitions1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `CREATE INDEX ix_outbox_key ON outbox_message (partition_key, sent_at, id)`);
    await db.query(/* sql */ `
      CREATE TABLE outbox_partition_lease (
        \`partition\` INT NOT NULL,
        owner VARCHAR(128) NULL,
        lease_until DATETIME(3) NULL,
        PRIMARY KEY (\`partition\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await db.query(/* sql */ `
      CREATE TABLE outbox_relay_instance (
        owner VARCHAR(128) NOT NULL,
        alive_until DATETIME(3) NOT NULL,
        PRIMARY KEY (owner)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE outbox_relay_instance');
    await db.query('DROP TABLE outbox_partition_lease');
    await db.query('DROP INDEX ix_outbox_key ON outbox_message');
  }
}
