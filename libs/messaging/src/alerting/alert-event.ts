/** Why a human should look: a message was parked, or the outbox is not draining. */
export type AlertKind = 'message-parked' | 'outbox-stuck' | 'job-failed';

export interface AlertEvent {
  kind: AlertKind;
  /** `publish` (relay) or `consume` (subscription) side. */
  origin: 'publish' | 'consume';
  /** Reason code, e.g. `unroutable`, `handler-error`, `malformed-json`. */
  reason: string;
  /** Exchange (publish side) or queue (consume side) where it happened. */
  source: string;
  messageId?: string;
  deadLetterId?: string;
  /** Human-readable detail (an error message; never a payload). */
  detail?: string;
  occurredAt: Date;
}

/** The class a failure belongs to: the first of a class is emailed at once, the rest are digested. */
export function alertClassOf(event: AlertEvent): string {
  return `${event.origin}|${event.source}|${event.reason}`;
}
