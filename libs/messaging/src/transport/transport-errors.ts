import { UnprocessableMessageError } from '../consuming/consume-errors';

/** A delivery whose routing key matches no `@EventPattern` of its queue: parked, never dropped or requeued. */
export class NoHandlerError extends UnprocessableMessageError {
  override readonly name = 'NoHandlerError';
  readonly reason = 'no-handler';
  constructor(readonly routingKey: string) {
    super(`No @EventPattern handler matches routing key '${routingKey}'`);
  }
}

/** A Nest pipe (e.g. `ValidationPipe`) refused the payload: bad input, parked at once, never retried. */
export class PayloadRejectedError extends UnprocessableMessageError {
  override readonly name = 'PayloadRejectedError';
  readonly reason = 'validation-failed';
}

/** `@MessagePattern` (request/response) on the reliable transport; refused at start-up (ADR 0206). */
export class MessagePatternNotSupportedError extends Error {
  override readonly name = 'MessagePatternNotSupportedError';
  constructor(readonly handler: string) {
    super(
      `${handler} is a @MessagePattern handler, but the reliable transport carries events only: a reply ` +
        'cannot be exactly-once or survive a restart of either side. Use @EventPattern (and emit a reply ' +
        'event through the outbox) or serve the request over HTTP (docs/adr/0206-reliable-nest-transport.md).',
    );
  }
}

/** `ctx.getManager()` in a handler that did not ask for the inbox. */
export class InboxNotEnabledError extends Error {
  override readonly name = 'InboxNotEnabledError';
  constructor(readonly handler: string) {
    super(`${handler} has no inbox transaction: set @ReliableEvent({ inbox: true }) to get ctx.getManager()`);
  }
}

/** `emit()` on the outbox client outside `outbox.transaction(...)`. */
export class OutboxTransactionRequiredError extends Error {
  override readonly name = 'OutboxTransactionRequiredError';
  constructor(readonly pattern: string) {
    super(
      `emit('${pattern}') ran outside an outbox transaction, so there is no business write to commit it ` +
        'with. Wrap both in outbox.transaction(async (manager) => { ...; await lastValueFrom(client.emit(...)) }).',
    );
  }
}

/** `send()` on the outbox client: an outbox carries events, not requests awaiting a reply. */
export class OutboxSendNotSupportedError extends Error {
  override readonly name = 'OutboxSendNotSupportedError';
  constructor(readonly pattern: string) {
    super(
      `send('${pattern}') needs a reply, which a message written to the outbox cannot wait for inside a ` +
        'transaction. Use emit() for events, or call the other service over HTTP.',
    );
  }
}
