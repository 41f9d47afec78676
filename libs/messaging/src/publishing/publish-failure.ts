/** Reason codes of a failed publish: what lands in `dead_letter.reason`, `last_error` and metric labels. */
export type PublishFailureReason =
  'unroutable' | 'nacked' | 'exchange-not-found' | 'confirm-timeout' | 'channel-error' | 'broker-unavailable';

/** A publish that did not end with an ack for a routed message. */
export abstract class PublishFailure extends Error {
  abstract readonly reason: PublishFailureReason;
  /**
   * Whether the attempt counts towards `maxAttempts`. A publish cut off by a broker outage, or caught
   * in a channel closed by another row's error, says nothing about this row and is simply released.
   */
  readonly countsAsAttempt: boolean = true;

  constructor(
    readonly messageId: string,
    readonly exchange: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** The broker acked but first returned the message: no queue is bound for its routing key (G2). */
export class UnroutableError extends PublishFailure {
  override readonly name = 'UnroutableError';
  readonly reason = 'unroutable';
}

export class PublishNackedError extends PublishFailure {
  override readonly name = 'PublishNackedError';
  readonly reason = 'nacked';
}

/** The broker closed the channel with 404 for this row's exchange (the relay never declares exchanges). */
export class ExchangeNotFoundError extends PublishFailure {
  override readonly name = 'ExchangeNotFoundError';
  readonly reason = 'exchange-not-found';
}

export class ConfirmTimeoutError extends PublishFailure {
  override readonly name = 'ConfirmTimeoutError';
  readonly reason = 'confirm-timeout';
}

/** The channel closed with an error the row may have caused. */
export class ChannelError extends PublishFailure {
  override readonly name = 'ChannelError';
  readonly reason = 'channel-error';
}

/** No channel, lost connection, or a channel closed because of another row: released without penalty. */
export class BrokerUnavailableError extends PublishFailure {
  override readonly name = 'BrokerUnavailableError';
  readonly reason = 'broker-unavailable';
  override readonly countsAsAttempt = false;
}
