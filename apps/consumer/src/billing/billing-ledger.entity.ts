import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row per handled order event. Deliberately no unique index on `message_id`: preventing duplicates
 * is the messaging library's job, and this table is how a user sees that it did.
 */
@Entity('billing_ledger')
export class BillingLedgerEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ name: 'order_id', type: 'char', length: 36 })
  orderId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 32 })
  eventType: string;

  @Column({ type: 'int' })
  seq: number;

  @Column({ name: 'handled_at', type: 'datetime', precision: 3 })
  handledAt: Date;
}
