import { NotFoundException } from '@nestjs/common';

export class DeadLetterNotFoundError extends NotFoundException {
  override readonly name = 'DeadLetterNotFoundError';
  readonly reason = 'not-found';

  constructor(readonly deadLetterId: string) {
    super({ statusCode: 404, reason: 'not-found', message: `Dead letter ${deadLetterId} does not exist` });
  }
}
