import { UnprocessableEntityException } from '@nestjs/common';

/**
 * The outbox carries JSON; a dead letter parked because its body was not JSON cannot be replayed as it
 * is (it would fail the same way). Discard it, and republish a corrected message from the producer.
 */
export class PayloadNotReplayableError extends UnprocessableEntityException {
  override readonly name = 'PayloadNotReplayableError';
  readonly reason = 'payload-not-json';

  constructor(readonly deadLetterId: string) {
    super({
      statusCode: 422,
      reason: 'payload-not-json',
      message: `Dead letter ${deadLetterId} has a payload that is not JSON; discard it instead`,
    });
  }
}
