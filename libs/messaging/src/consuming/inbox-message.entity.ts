import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Proof that a consumer committed the effect of a message; written in the handler's transaction (G4). */
@Entity('inbox_message')
export class InboxMessage {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  consumer: string;

  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ name: 'handled_at', type: 'datetime', precision: 3 })
  handledAt: Date;
}
