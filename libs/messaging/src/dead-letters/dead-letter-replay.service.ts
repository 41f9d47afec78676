import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CORRELATION_ID_HEADER, NewOutboxMessage, OutboxHeaders } from '../outbox/new-outbox-message';
import { OutboxService } from '../outbox/outbox.service';
import { AdminAudit } from './admin-audit';
import type { AdminIdentity } from './admin-identity';
import { DeadLetter } from './dead-letter.entity';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterFilter, whereDeadLetterMatches } from './dead-letter-query';
import { lockOpenDeadLetter, resolution } from './open-dead-letter';
import { PayloadNotReplayableError } from './payload-not-replayable.error';

export const REPLAY_OF_HEADER = 'x-replay-of';
export const DEAD_LETTER_ID_HEADER = 'x-dead-letter-id';

/** Headers the broker or the failed attempts added; a replay starts afresh without them. */
const BROKER_HEADERS = /^x-(death|first-death-|last-death-|delivery-count)/;

export interface BulkReplayResult {
  replayed: string[];
  /** Dead letters that matched but could not be replayed, with the reason code. */
  refused: Array<{ id: string; reason: string }>;
}

/**
 * G8 replay: a dead letter goes back through the outbox, in one transaction with marking it `replayed`,
 * so the replay is published exactly when the mark committed and G1-G5 hold for it as for any message.
 */
@Injectable()
export class DeadLetterReplayer {
  private readonly logger = new Logger(DeadLetterReplayer.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly groups: DeadLetterGroups,
    private readonly audit: AdminAudit,
  ) {}

  /** `audited: false` when the caller records one audit entry for many replays (bulk replay). */
  async replay(id: string, who: AdminIdentity, audited = true): Promise<DeadLetter> {
    const by = who.user;
    const replayed = await this.dataSource.transaction(async (manager) => {
      const row = await lockOpenDeadLetter(manager, id);
      const message = replayMessageOf(row);
      await this.outbox.add(manager, message);
      Object.assign(row, resolution('replayed', by, null), { replayMessageId: message.messageId });
      const saved = await manager.save(DeadLetter, row);
      await this.groups.resolved(manager, [row.fingerprint], 'replayed');
      const detail = `as ${message.messageId}${row.editedPayload ? ' with the edited payload' : ''}`;
      if (audited) await this.audit.record(who, { action: 'replay', ids: [id], detail }, manager);
      return saved;
    });
    this.logger.log({
      msg: 'dead letter replayed',
      deadLetterId: id,
      messageId: replayed.messageId,
      replayMessageId: replayed.replayMessageId,
      by,
    });
    return replayed;
  }

  /** Replays up to `limit` open dead letters matching the filter, oldest first, each in its own transaction. */
  async replayMatching(
    filter: DeadLetterFilter,
    limit: number,
    who: AdminIdentity,
  ): Promise<BulkReplayResult> {
    const ids = await whereDeadLetterMatches(
      this.dataSource.getRepository(DeadLetter).createQueryBuilder('dl').select('dl.id', 'id'),
      { ...filter, status: 'open' },
    )
      .orderBy('dl.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    const result: BulkReplayResult = { replayed: [], refused: [] };
    for (const { id } of ids) {
      try {
        await this.replay(String(id), who, false);
        result.replayed.push(String(id));
      } catch (error) {
        const reason = (error as { reason?: string }).reason;
        if (!reason) throw error;
        result.refused.push({ id: String(id), reason });
      }
    }
    await this.audit.record(who, {
      action: 'bulk-replay',
      ids: result.replayed,
      detail: `filter ${JSON.stringify(filter)}; ${result.refused.length} refused`,
    });
    return result;
  }
}

/**
 * The outbox message a dead letter is replayed as. A new message id: the consumer's failure count and
 * dedupe mark belong to the old one and would park or skip it again. Publish-side dead letters go to
 * their exchange and key; consume-side ones to the queue that failed, through the default exchange,
 * so other subscribers of the event do not get it twice. An edited payload is sent instead of the original.
 */
export function replayMessageOf(row: DeadLetter): NewOutboxMessage & { messageId: string } {
  let payload: unknown;
  try {
    // An operator's correction wins; the original stays in `payload` for the record.
    payload = JSON.parse(row.editedPayload ?? row.payload);
  } catch {
    throw new PayloadNotReplayableError(row.id);
  }
  const original = replayableHeaders(row.headers);
  const correlationId = original[CORRELATION_ID_HEADER];
  const headers: OutboxHeaders = {
    ...original,
    [REPLAY_OF_HEADER]: row.messageId,
    [DEAD_LETTER_ID_HEADER]: row.id,
  };
  const target =
    row.origin === 'publish'
      ? { exchange: row.exchange ?? '', routingKey: row.routingKey ?? '', key: row.partitionKey ?? undefined }
      : { exchange: '', routingKey: row.queue ?? '' };
  return {
    ...target,
    payload,
    headers,
    messageId: randomUUID(),
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
  };
}

function replayableHeaders(json: string | null): OutboxHeaders {
  let parsed: unknown;
  try {
    parsed = json ? JSON.parse(json) : {};
  } catch {
    return {};
  }
  const headers: OutboxHeaders = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (BROKER_HEADERS.test(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      headers[name] = value;
  }
  return headers;
}
