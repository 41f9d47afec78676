import { Column, Entity, PrimaryColumn } from 'typeorm';

export type OrderStatus = 'created' | 'paid' | 'shipped';

@Entity('orders')
export class Order {
  @PrimaryColumn({ type: 'char', length: 36 })
  id: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 64 })
  customerId: string;

  @Column({ name: 'amount_cents', type: 'int' })
  amountCents: number;

  @Column({ type: 'varchar', length: 16 })
  status: OrderStatus;

  /** Sequence number of the order's last event: 1 created, 2 paid, 3 shipped. */
  @Column({ type: 'int' })
  seq: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
