import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { InjectOptions } from '../messaging.constants';
import { topologyNames } from '../topology/topology-names';
import { currentTraceHeaders } from '../observability/trace-context';
import type { TopologyOptions } from '../topology/topology.options';
import type { OutboxOptions, RelayPartitionOptions } from './outbox.options';
import type { HandoffLease } from './committed-rows-handoff';
import type { ClaimedRow } from './outbox-claims';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber';
import { NOT_LEASED_UNTIL, OutboxMessage } from './outbox-message.entity';
import { outboxPartitionOf } from './outbox-partition';
import { OutboxWake } from './outbox-wake';
import { CORRELATION_ID_HEADER, NewOutboxMessage } from './new-outbox-message';
import type { OutboxEvent } from './outbox-event';
import { runInOutboxScope } from './outbox-scope';
import { PayloadNotSerializableError, PayloadTooLargeError } from './payload-too-large.error';
import { OutboxScheduler, ScheduleOptions, scheduledDueAt } from './outbox-scheduler';

/**
 * Writes messages to the outbox through the caller's `EntityManager`, so a message exists exactly when
 * the business write beside it committed (G1). The relay publishes it afterwards.
 */
@Injectable()
export class OutboxService {
  constructor(
    @InjectOptions('outbox') private readonly options: OutboxOptions,
    @InjectOptions('relayPartitions') private readonly partitions: RelayPartitionOptions,
    @InjectOptions('topology') private readonly topology: TopologyOptions,
    private readonly commits: OutboxCommitSubscriber,
    private readonly wake: OutboxWake,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: OutboxScheduler,
  ) {}

  /** `schedule` ({ deliverAt } or { delayMs }) holds the message back until it is due (ADR 0301). */
  async add(
    manager: EntityManager,
    input: NewOutboxMessage | OutboxEvent,
    schedule?: ScheduleOptions,
  ): Promise<OutboxMessage> {
    const message = this.addressed(input);
    const messageId = message.messageId ?? randomUUID();
    const payload = this.serialize(messageId, message.payload);
    // The caller's trace (HTTP request) travels with the row to the consumer; explicit headers win.
    const headers = {
      ...currentTraceHeaders(),
      ...message.headers,
      [CORRELATION_ID_HEADER]: message.correlationId ?? messageId,
    };
    const key = message.key ?? null;
    const now = new Date();
    const dueAt = scheduledDueAt(schedule, now);
    // A plain instance: manager.create() maps every field through the entity metadata, per row.
    const row = Object.assign(new OutboxMessage(), {
      messageId,
      exchange: message.exchange,
      routingKey: message.routingKey,
      partitionKey: key,
      partition: key === null ? null : outboxPartitionOf(key, this.partitions.count),
      payload,
      headers: JSON.stringify(headers),
      attempts: 0,
      nextAttemptAt: dueAt ?? now,
      deliverAt: dueAt,
      held: dueAt !== null,
      lockedBy: '',
      lockedUntil: NOT_LEASED_UNTIL,
      lastError: null,
      createdAt: now,
      sentAt: null,
    });
    const runner = manager.queryRunner?.isTransactionActive ? manager.queryRunner : undefined;
    // Unkeyed and due: written leased to this process's relay, published from memory after COMMIT (ADR 0210).
    // Keyed rows wait for a claim, which alone sees every earlier unsent row of their key.
    const lease = runner && key === null && !dueAt ? this.commits.leaseFor(runner) : null;
    const leasedAt = performance.now();
    const saved = await this.insertRow(manager, row, lease);
    if (dueAt) this.scheduler.expect(dueAt);
    // Inside a transaction the row is invisible until COMMIT; outside one it is committed already.
    if (runner) {
      const handed = lease ? { row: handedRowOf(saved, payload), owner: lease.owner, leasedAt } : undefined;
      this.commits.rowAdded(runner, handed);
    } else this.wake.notify();
    return saved;
  }

  /**
   * Runs `work` in a transaction inside which the outbox ClientProxy's `emit()` writes its rows; the
   * rows commit or roll back with whatever else `work` wrote through `manager`.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) =>
      runInOutboxScope({ manager, add: (m, event, schedule) => this.add(m, event, schedule) }, () =>
        work(manager),
      ),
    );
  }

  /** `{ stream, type }` names an event; the exchange comes from the topology prefix, never from the app. */
  private addressed(input: NewOutboxMessage | OutboxEvent): NewOutboxMessage {
    if (!('type' in input)) return input;
    const names = topologyNames(this.topology.prefix);
    const { stream, type, ...rest } = input;
    const exchange = stream === undefined ? names.eventsExchange : names.orderedExchange(stream);
    return { ...rest, exchange, routingKey: type };
  }

  /**
   * One plain INSERT on the caller's transaction. `manager.insert` built it through the query builder
   * and then SELECTed the row back for its defaulted columns (a second round trip): together most of
   * the producer's CPU per order (docs/performance.md, write path).
   */
  private async insertRow(
    manager: EntityManager,
    row: OutboxMessage,
    lease: HandoffLease | null,
  ): Promise<OutboxMessage> {
    // The lease runs on the database's clock, as the claims that compare it do. No lease: the column's
    // default, a time long past, so that a claim's lease later rewrites the row in place (ADR 0211).
    const result = await manager.query<{ insertId: number | string }>(
      /* sql */ `INSERT INTO outbox_message
         (message_id, exchange, routing_key, partition_key, \`partition\`, payload, headers, attempts,
          next_attempt_at, deliver_at, held, locked_by, locked_until, last_error, created_at, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
               COALESCE(DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND), DEFAULT(locked_until)), ?, ?, ?)`,
      [
        row.messageId,
        row.exchange,
        row.routingKey,
        row.partitionKey,
        row.partition,
        row.payload,
        row.headers,
        row.attempts,
        row.nextAttemptAt,
        row.deliverAt,
        row.held,
        lease?.owner ?? '',
        lease ? lease.leaseMs * 1000 : null,
        row.lastError,
        row.createdAt,
        row.sentAt,
      ],
    );
    row.id = String(result.insertId);
    if (lease) {
      row.lockedBy = lease.owner;
      row.lockedUntil = new Date(Date.now() + lease.leaseMs); // the database's own value may differ by clock skew
    }
    return row;
  }

  private serialize(messageId: string, payload: unknown): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(payload);
    } catch (error) {
      throw new PayloadNotSerializableError(messageId, (error as Error).message);
    }
    if (text === undefined) throw new PayloadNotSerializableError(messageId, 'serializes to nothing');
    const size = Buffer.byteLength(text, 'utf8');
    if (size > this.options.maxPayloadBytes) {
      throw new PayloadTooLargeError(messageId, size, this.options.maxPayloadBytes);
    }
    return text;
  }
}

/** The row as the relay publishes it, from what was just written: no read back. */
function handedRowOf(row: OutboxMessage, payload: string): ClaimedRow {
  return {
    id: row.id,
    messageId: row.messageId,
    exchange: row.exchange,
    routingKey: row.routingKey,
    partitionKey: null,
    payload: Buffer.from(payload, 'utf8'),
    headers: row.headers,
    attempts: 0,
    createdAt: row.createdAt,
  };
}
