import { Injectable, NotFoundException } from '@nestjs/common';
import { ScheduledMessage, ScheduledMessages } from '../outbox/scheduled-messages';
import { AdminAudit } from './admin-audit';
import type { AdminIdentity } from './admin-identity';
import { isRowId } from './open-dead-letter';

/** An operator cancels a scheduled message before a relay claims it; the audit log records who and what. */
@Injectable()
export class ScheduledCancellation {
  constructor(
    private readonly scheduled: ScheduledMessages,
    private readonly audit: AdminAudit,
  ) {}

  async cancel(id: string, who: AdminIdentity): Promise<ScheduledMessage> {
    const cancelled = isRowId(id) ? await this.scheduled.cancel(id) : null;
    if (!cancelled)
      throw new NotFoundException(`Scheduled message ${id} is not pending (sent, claimed or unknown)`);
    await this.audit.record(who, {
      action: 'cancel-scheduled',
      ids: [id],
      target: cancelled.messageId,
      detail: `due ${cancelled.deliverAt.toISOString()} on ${cancelled.exchange} ${cancelled.routingKey}`,
    });
    return cancelled;
  }
}
