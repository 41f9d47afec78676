import { UnprocessableEntityException } from '@nestjs/common';

/** The edited payload was refused: not JSON, too large, or not what the consumer's schema accepts. */
export class InvalidEditedPayloadError extends UnprocessableEntityException {
  override readonly name = 'InvalidEditedPayloadError';
  readonly reason = 'edited-payload-invalid';

  constructor(detail: string) {
    super({
      statusCode: 422,
      reason: 'edited-payload-invalid',
      message: `The edited payload is refused: ${detail}`,
    });
  }
}
