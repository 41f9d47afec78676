import { Injectable } from '@nestjs/common';
import { AdminAudit } from './admin-audit';
import type { AdminIdentity } from './admin-identity';
import type { DeadLetter } from './dead-letter.entity';
import type { DeadLetterFilter } from './dead-letter-query';
import { DeadLetterResolutions } from './dead-letter-resolutions';

/** G8 discard: an operator gives dead letters up, with a reason the row and the audit log keep. */
@Injectable()
export class DeadLetterDiscarder {
  constructor(
    private readonly resolutions: DeadLetterResolutions,
    private readonly audit: AdminAudit,
  ) {}

  /** One open dead letter; DeadLetterNotOpenError otherwise. */
  async discard(id: string, reason: string, who: AdminIdentity): Promise<DeadLetter> {
    return this.resolutions.close(id, 'discarded', who.user, reason, (manager) =>
      this.audit.record(who, { action: 'discard', ids: [id], detail: reason }, manager),
    );
  }

  /** Discards every open dead letter matching the filter in one transaction; returns how many. */
  async discardMatching(filter: DeadLetterFilter, reason: string, who: AdminIdentity): Promise<number> {
    const detail = `filter ${JSON.stringify(filter)}; reason: ${reason}`;
    return this.resolutions.closeMatching(filter, 'discarded', who.user, reason, (manager, ids) =>
      this.audit.record(who, { action: 'bulk-discard', ids, detail }, manager),
    );
  }
}
