import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Longest relay owner id `locked_by` holds (ASCII). */
export const RELAY_OWNER_MAX_LENGTH = 64;
/** `locked_until`'s default: a lease that ended long ago. */
export const NOT_LEASED_UNTIL = new Date('1970-01-01T00:00:01.000Z');

/** A message waiting to be published, written in the business transaction (docs/design.md §4). */
@Entity('outbox_message')
@Index('ix_outbox_claim', ['sentAt', 'held', 'id', 'nextAttemptAt'])
@Index('ix_outbox_schedule', ['held', 'deliverAt'])
@Index('ix_outbox_partition', ['partition', 'id'])
export class OutboxMessage {
  /** Global publish order. A string: BIGINT exceeds JavaScript's safe integers. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Index('ux_outbox_message_id', { unique: true })
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ type: 'varchar', length: 255 })
  exchange: string;

  @Column({ name: 'routing_key', type: 'varchar', length: 255 })
  routingKey: string;

  /** Ordering key: messages sharing it are published and consumed in id order. */
  @Column({ name: 'partition_key', type: 'varchar', length: 255, nullable: true })
  partitionKey: string | null;

  /** Relay partition derived from `partitionKey`; null for unordered messages. */
  @Column({ type: 'int', nullable: true })
  partition: number | null;

  /** Serialized JSON, kept as text so the bytes published are the bytes written. */
  @Column({ type: 'longtext' })
  payload: string;

  /** JSON object of AMQP headers (correlation id, traceparent, user headers). */
  @Column({ type: 'text', nullable: true })
  headers: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt: Date;

  /**
   * The relay holding or last holding the row's lease; '' before any (NULL in rows written by a version
   * before ADR 0211). Fixed width, and `lockedUntil` written at insert, so that a lease rewrites the row
   * in place.
   */
  @Column({
    name: 'locked_by',
    type: 'char',
    length: RELAY_OWNER_MAX_LENGTH,
    charset: 'ascii',
    collation: 'ascii_bin',
    nullable: true,
    default: '',
  })
  lockedBy: string | null;

  /** End of the lease; `NOT_LEASED_UNTIL` until the first, null once sent. */
  @Column({
    name: 'locked_until',
    type: 'datetime',
    precision: 3,
    nullable: true,
    default: () => "'1970-01-01 00:00:01.000'",
  })
  lockedUntil: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1024, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true })
  sentAt: Date | null;

  /** When a scheduled message becomes due; null for a message due at once. */
  @Column({ name: 'deliver_at', type: 'datetime', precision: 3, nullable: true })
  deliverAt: Date | null;

  /** True while a scheduled row is not yet due: the claim query does not see it (ADR 0301). */
  @Column({ type: 'boolean', default: false })
  held: boolean;
}
