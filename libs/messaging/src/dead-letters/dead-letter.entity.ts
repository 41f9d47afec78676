import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type DeadLetterOrigin = 'publish' | 'consume';
export type DeadLetterStatus = 'open' | 'replayed' | 'discarded';

/** A message that could not be published or consumed, parked for a human (docs/design.md §4, G6, G8). */
@Entity('dead_letter')
@Index('ix_dead_letter_status', ['status', 'origin', 'id'])
@Index('ix_dead_letter_group', ['status', 'fingerprint', 'id'])
@Index('ix_dead_letter_alert', ['reason', 'origin', 'createdAt'])
export class DeadLetter {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Index('ix_dead_letter_message_id')
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ type: 'varchar', length: 16 })
  origin: DeadLetterOrigin;

  @Column({ type: 'varchar', length: 255, nullable: true })
  exchange: string | null;

  @Index('ix_dead_letter_queue')
  @Column({ type: 'varchar', length: 255, nullable: true })
  queue: string | null;

  @Column({ name: 'routing_key', type: 'varchar', length: 255, nullable: true })
  routingKey: string | null;

  /** The subscription that gave up (consume side). */
  @Column({ type: 'varchar', length: 128, nullable: true })
  consumer: string | null;

  /** Ordering key of the message; a parked keyed message names the key it blocked. */
  @Column({ name: 'partition_key', type: 'varchar', length: 255, nullable: true })
  partitionKey: string | null;

  /** The body as received or as written to the outbox (may be malformed: that can be the reason). */
  @Column({ type: 'longtext' })
  payload: string;

  @Column({ type: 'text', nullable: true })
  headers: string | null;

  /** Reason code (`unroutable`, `handler-error`, `malformed-json`, `missing-message-id`, ...). */
  @Column({ type: 'varchar', length: 64 })
  reason: string;

  /** Human-readable detail: the last error message. */
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'first_failed_at', type: 'datetime', precision: 3 })
  firstFailedAt: Date;

  @Column({ name: 'last_failed_at', type: 'datetime', precision: 3 })
  lastFailedAt: Date;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  status: DeadLetterStatus;

  @Column({ name: 'resolved_by', type: 'varchar', length: 128, nullable: true })
  resolvedBy: string | null;

  @Column({ name: 'resolved_at', type: 'datetime', precision: 3, nullable: true })
  resolvedAt: Date | null;

  /** Discard reason or replay note. */
  @Column({ name: 'resolution_note', type: 'text', nullable: true })
  resolutionNote: string | null;

  /** Message id of the outbox row created by a replay. */
  @Column({ name: 'replay_message_id', type: 'varchar', length: 64, nullable: true })
  replayMessageId: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Failure group: side, consumer or exchange, reason, error class and normalised error (ADR 0302). */
  @Column({ type: 'char', length: 16, nullable: true })
  fingerprint: string | null;

  /** An operator's corrected payload; a replay sends it, `payload` keeps what failed. */
  @Column({ name: 'edited_payload', type: 'longtext', nullable: true })
  editedPayload: string | null;

  @Column({ name: 'edited_by', type: 'varchar', length: 128, nullable: true })
  editedBy: string | null;

  @Column({ name: 'edited_at', type: 'datetime', precision: 3, nullable: true })
  editedAt: Date | null;
}
