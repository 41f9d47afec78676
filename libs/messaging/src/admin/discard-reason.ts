import { HttpException } from '@nestjs/common';

/** The reason a page form gave for discarding, trimmed to what the audit keeps; a 400 when blank. */
export function requiredDiscardReason(body: { reason?: string }): string {
  const reason = (body.reason ?? '').trim().slice(0, 2000);
  if (!reason) throw new HttpException({ message: 'A reason is required to discard' }, 400);
  return reason;
}
