import { ConflictException } from '@nestjs/common';
import type { DeadLetterStatus } from './dead-letter.entity';

/** Replay and discard act on open dead letters only: a second replay would publish the message twice. */
export class DeadLetterNotOpenError extends ConflictException {
  override readonly name = 'DeadLetterNotOpenError';
  readonly reason: `already-${Exclude<DeadLetterStatus, 'open'>}`;

  constructor(
    readonly deadLetterId: string,
    readonly deadLetterStatus: Exclude<DeadLetterStatus, 'open'>,
  ) {
    super({
      statusCode: 409,
      reason: `already-${deadLetterStatus}`,
      message: `Dead letter ${deadLetterId} was already ${deadLetterStatus}`,
    });
    this.reason = `already-${deadLetterStatus}`;
  }
}
