import { Injectable } from '@nestjs/common';
import { validated } from '../consuming/message-decoder';
import { InjectOptions } from '../messaging.constants';
import type { OutboxOptions } from '../outbox/outbox.options';
import type { DeadLetter } from './dead-letter.entity';
import { InvalidEditedPayloadError } from './invalid-edited-payload.error';
import { SubscriptionSchemas } from './subscription-schemas';

/**
 * Whether an operator's corrected payload can be replayed: within the outbox's size limit, JSON, and,
 * where the failed subscription declares a schema, valid against it. Refusals are InvalidEditedPayloadError.
 */
@Injectable()
export class EditedPayloadCheck {
  constructor(
    @InjectOptions('outbox') private readonly outbox: OutboxOptions,
    private readonly schemas: SubscriptionSchemas,
  ) {}

  /** The text parsed; checked before any row is locked, since it needs none. */
  parsed(text: string, id: string): unknown {
    if (Buffer.byteLength(text, 'utf8') > this.outbox.maxPayloadBytes) {
      throw new InvalidEditedPayloadError(`larger than ${this.outbox.maxPayloadBytes} bytes`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new InvalidEditedPayloadError(`not JSON (${(error as Error).message}) for dead letter ${id}`);
    }
  }

  /** Against the schema of the subscription that parked the row, if it declares one. */
  async conforms(row: DeadLetter, payload: unknown): Promise<void> {
    const schema = row.origin === 'consume' ? this.schemas.of(row.consumer) : undefined;
    if (!schema) return;
    try {
      await validated(schema, payload);
    } catch (error) {
      throw new InvalidEditedPayloadError((error as Error).message);
    }
  }
}
