import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { validated } from '../consuming/message-decoder';
import { InjectOptions } from '../messaging.constants';
import type { OutboxOptions } from '../outbox/outbox.options';
import { AdminAudit } from './admin-audit';
import type { AdminIdentity } from './admin-identity';
import { DeadLetter } from './dead-letter.entity';
import { InvalidEditedPayloadError } from './invalid-edited-payload.error';
import { lockOpenDeadLetter } from './open-dead-letter';
import { SubscriptionSchemas } from './subscription-schemas';

/**
 * Edit and retry, first half: an operator's corrected payload is stored beside the original (which is
 * never overwritten) once it parses as JSON and, where the failed subscription declares a schema,
 * passes it. A replay then sends the edited payload (`replayMessageOf`).
 */
@Injectable()
export class DeadLetterEditor {
  constructor(
    @InjectOptions('outbox') private readonly outbox: OutboxOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly schemas: SubscriptionSchemas,
    private readonly audit: AdminAudit,
  ) {}

  async edit(id: string, text: string, who: AdminIdentity): Promise<DeadLetter> {
    const payload = await this.check(text, id);
    return this.dataSource.transaction(async (manager) => {
      const row = await lockOpenDeadLetter(manager, id);
      const before = row.editedPayload ?? row.payload;
      await this.checkSchema(row, payload);
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

  private async check(text: string, id: string): Promise<unknown> {
    if (Buffer.byteLength(text, 'utf8') > this.outbox.maxPayloadBytes) {
      throw new InvalidEditedPayloadError(`larger than ${this.outbox.maxPayloadBytes} bytes`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new InvalidEditedPayloadError(`not JSON (${(error as Error).message}) for dead letter ${id}`);
    }
  }

  private async checkSchema(row: DeadLetter, payload: unknown): Promise<void> {
    const schema = row.origin === 'consume' ? this.schemas.of(row.consumer) : undefined;
    if (!schema) return;
    try {
      await validated(schema, payload);
    } catch (error) {
      throw new InvalidEditedPayloadError((error as Error).message);
    }
  }
}
