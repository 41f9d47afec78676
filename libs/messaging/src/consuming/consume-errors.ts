import type { RetryVerdict } from './retry-policy';

/** A delivery that can never succeed as it is: parked at once with `reason`, the queue keeps flowing. */
export abstract class UnprocessableMessageError extends Error {
  abstract readonly reason: string;
}

export class MalformedJsonError extends UnprocessableMessageError {
  override readonly name = 'MalformedJsonError';
  readonly reason = 'malformed-json';
}

export class OversizedMessageError extends UnprocessableMessageError {
  override readonly name = 'OversizedMessageError';
  readonly reason = 'payload-too-large';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`Message body of ${bytes} bytes exceeds the limit of ${limit}`);
  }
}

export class UnsupportedContentTypeError extends UnprocessableMessageError {
  override readonly name = 'UnsupportedContentTypeError';
  readonly reason = 'unsupported-content-type';
  constructor(readonly contentType: string) {
    super(`Content type '${contentType}' is not JSON`);
  }
}

export class MissingMessageIdError extends UnprocessableMessageError {
  override readonly name = 'MissingMessageIdError';
  readonly reason = 'missing-message-id';
  constructor() {
    super('Message has no messageId property: it cannot be deduplicated');
  }
}

export class SchemaValidationError extends UnprocessableMessageError {
  override readonly name = 'SchemaValidationError';
  readonly reason = 'schema-invalid';
}

/** Started more often than `maxAttempts` without finishing: it crashed the process or its runs were lost. */
export class AttemptsExhaustedError extends UnprocessableMessageError {
  override readonly name = 'AttemptsExhaustedError';
  readonly reason = 'attempts-exhausted';
  constructor(readonly attempt: number) {
    super(`Attempt ${attempt} would exceed the retry budget`);
  }
}

/** Redis did not answer: the delivery is held (not acked, not handled) until it does. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  readonly reason = 'redis-unavailable';
  constructor(readonly detail: unknown) {
    super(`Redis unavailable: ${detail instanceof Error ? detail.message : String(detail)}`);
  }
}

/** The inbox database did not answer: the delivery is held like a Redis outage, its run not counted. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  readonly reason = 'database-unavailable';
  constructor(readonly detail: unknown) {
    super(`Database unavailable: ${detail instanceof Error ? detail.message : String(detail)}`);
  }
}

/** Another delivery of the same message id is being handled right now: wait for its outcome. */
export class DuplicateInFlightError extends Error {
  override readonly name = 'DuplicateInFlightError';
  readonly reason = 'duplicate-in-flight';
  constructor(readonly messageId: string) {
    super(`Message ${messageId} is being handled by another delivery`);
  }
}

/** The handler failed and the retry policy decided what happens next. */
export class HandlerFailedError extends Error {
  override readonly name = 'HandlerFailedError';
  readonly reason = 'handler-error';
  constructor(
    readonly failure: unknown,
    readonly verdict: RetryVerdict,
    readonly attempt: number,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}
