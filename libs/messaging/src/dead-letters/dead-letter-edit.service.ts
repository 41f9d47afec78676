import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminAudit } from './admin-audit';
import type { AdminIdentity } from './admin-identity';
import { DeadLetter } from './dead-letter.entity';
import { EditedPayloadCheck } from './edited-payload-check';
import { lockOpenDeadLetter } from './open-dead-letter';

/**
 * Edit and retry, first half: an operator's corrected payload is stored beside the original (which is
 * never overwritten) once it passes EditedPayloadCheck. A replay then sends the edited payload
 * (`replayMessageOf`).
 */
@Injectable()
export class DeadLetterEditor {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly check: EditedPayloadCheck,
    private readonly audit: AdminAudit,
  ) {}

  async edit(id: string, text: string, who: AdminIdentity): Promise<DeadLetter> {
    const payload = this.check.parsed(text, id);
    return this.dataSource.transaction(async (manager) => {
      const row = await lockOpenDeadLetter(manager, id);
      const before = row.editedPayload ?? row.payload;
      await this.check.conforms(row, payload);
      Object.assign(row, {
        editedPayload: JSON.stringify(payload),
        editedBy: who.user,
        editedAt: new Date(),
      });
      const saved = await manager.save(DeadLetter, row);
      await this.audit.record(
        who,
        { action: 'edit', ids: [id], before, after: saved.editedPayload },
        manager,
      );
      return saved;
    });
  }
}
