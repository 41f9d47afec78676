import { ClientProxy, ReadPacket, RmqRecord, WritePacket } from '@nestjs/microservices';
import { from, Observable, throwError } from 'rxjs';
import type { OutboxHeaders } from '../outbox/new-outbox-message';
import { currentOutboxScope, OutboxScope } from '../outbox/outbox-scope';
import { OutboxRecord } from './outbox-record.builder';
import { OutboxSendNotSupportedError, OutboxTransactionRequiredError } from './transport-errors';

/** `ClientsModule.register([{ name, customClass: OutboxClientProxy, options }])` */
export interface OutboxClientOptions {
  /** Ordered stream the client's events go to; omit for the unordered events exchange. */
  stream?: string;
}

/**
 * A `ClientProxy` whose `emit()` writes an outbox row in the caller's `outbox.transaction(...)`: the
 * observable completes (with the message id) once the row is written, and the relay publishes it after
 * the transaction committed, or never if it rolled back. No connection of its own.
 */
export class OutboxClientProxy extends ClientProxy {
  constructor(private readonly options: OutboxClientOptions = {}) {
    super();
  }

  /**
   * Hot like Nest's `emit`: the row is written now, in the caller's transaction scope, whether or not
   * anyone subscribes, and every subscriber gets its outcome. The promise is that replay already; an
   * rxjs `connectable` over a `ReplaySubject` cost several subscriptions per event on the write path.
   */
  override emit<TResult = string, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    const written = this.write(currentOutboxScope(), pattern, data) as Promise<TResult>;
    // Nobody may subscribe: the failure is still the subscribers' to see, never an unhandled rejection.
    written.catch(() => undefined);
    return from(written);
  }

  override send<TResult = never>(pattern: unknown): Observable<TResult> {
    return throwError(() => new OutboxSendNotSupportedError(patternText(pattern)));
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {}

  unwrap<T>(): T {
    throw new Error('OutboxClientProxy has no connection of its own: the relay publishes its rows');
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new OutboxSendNotSupportedError(patternText(packet.pattern)), isDisposed: true });
    return () => undefined;
  }

  protected dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    return this.write(currentOutboxScope(), packet.pattern, packet.data) as Promise<T>;
  }

  private async write(scope: OutboxScope | undefined, pattern: unknown, data: unknown): Promise<string> {
    const type = patternText(pattern);
    if (!scope) throw new OutboxTransactionRequiredError(type);
    const record = recordOf(data);
    const { stream = this.options.stream, deliverAt, delayMs, ...options } = record.options;
    const schedule = deliverAt ? { deliverAt } : delayMs !== undefined ? { delayMs } : undefined;
    const row = await scope.add(scope.manager, { ...options, stream, type, payload: record.data }, schedule);
    return row.messageId;
  }
}

/** An `OutboxRecord`, Nest's `RmqRecord` (its headers and message id kept, for migration), or plain data. */
function recordOf(data: unknown): OutboxRecord {
  if (data instanceof OutboxRecord) return data;
  if (data instanceof RmqRecord) {
    const options = (data.options ?? {}) as { headers?: OutboxHeaders; messageId?: string };
    return new OutboxRecord(data.data, { headers: options.headers, messageId: options.messageId });
  }
  return new OutboxRecord(data);
}

function patternText(pattern: unknown): string {
  if (typeof pattern !== 'string') {
    throw new TypeError(`Outbox event patterns are routing keys (strings), got ${JSON.stringify(pattern)}`);
  }
  return pattern;
}
