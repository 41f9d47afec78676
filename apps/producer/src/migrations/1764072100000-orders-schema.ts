import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OrdersSchema1764072100000 implements MigrationInterface {
  name = 'OrdersSchema1764072100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(/* sql */ `
      CREATE TABLE orders (
        id CHAR(36) NOT NULL,
        customer_id VARCHAR(64) NOT NULL,
        amount_cents INT NOT NULL,
        status VARCHAR(16) NOT NULL,
        seq INT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE orders');
  }
}
