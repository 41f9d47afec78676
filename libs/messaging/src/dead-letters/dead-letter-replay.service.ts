import { Injectable, Logger } from '@nestjs/common';
import { AdminAudit } from './admin-audit';
import type { AdminIdentity } from './admin-identity';
import { DeadLetterAdminService } from './dead-letter-admin.service';
import type { DeadLetter } from './dead-letter.entity';
import type { DeadLetterFilter } from './dead-letter-query';
import { DeadLetterResolutions } from './dead-letter-resolutions';

export interface BulkReplayResult {
  replayed: string[];
  /** Dead letters that matched but could not be replayed, with the reason code. */
  refused: Array<{ id: string; reason: string }>;
}

/**
 * G8 replay: a dead letter goes back through the outbox (`replayMessageOf`), in one transaction with
 * marking it `replayed` (DeadLetterResolutions), so G1-G5 hold for the replay as for any message.
 */
@Injectable()
export class DeadLetterReplayer {
  private readonly logger = new Logger(DeadLetterReplayer.name);

  constructor(
    private readonly deadLetters: DeadLetterAdminService,
    private readonly resolutions: DeadLetterResolutions,
    private readonly audit: AdminAudit,
  ) {}

  /** `audited: false` when the caller records one audit entry for many replays (bulk replay). */
  async replay(id: string, who: AdminIdentity, audited = true): Promise<DeadLetter> {
    const by = who.user;
    const replayed = await this.resolutions.close(
      id,
      'replayed',
      by,
      null,
      audited
        ? (manager, row) => {
            const detail = `as ${row.replayMessageId}${row.editedPayload ? ' with the edited payload' : ''}`;
            return this.audit.record(who, { action: 'replay', ids: [id], detail }, manager);
          }
        : undefined,
    );
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
    const ids = await this.deadLetters.openIds(filter, limit);
    const result: BulkReplayResult = { replayed: [], refused: [] };
    for (const id of ids) {
      try {
        await this.replay(id, who, false);
        result.replayed.push(id);
      } catch (error) {
        const reason = (error as { reason?: string }).reason;
        if (!reason) throw error;
        result.refused.push({ id, reason });
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
