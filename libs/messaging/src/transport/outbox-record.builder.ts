import type { OutboxHeaders } from '../outbox/new-outbox-message';

/** Per-message options of `OutboxClientProxy.emit`, beside the payload (like Nest's `RmqRecord`). */
export interface OutboxRecordOptions {
  /** Ordering key: events of one key are published and handled in order. */
  key?: string;
  headers?: OutboxHeaders;
  /** @default a random UUID */
  messageId?: string;
  /** @default the message id */
  correlationId?: string;
  /** Overrides the client's `stream` for this event. */
  stream?: string;
  /** Publish no earlier than this instant (scheduled message, ADR 0301). */
  deliverAt?: Date;
  /** Publish no earlier than this many ms after the commit's `emit` (scheduled message, ADR 0301). */
  delayMs?: number;
}

export class OutboxRecord<TData = unknown> {
  constructor(
    readonly data: TData,
    readonly options: OutboxRecordOptions = {},
  ) {}
}

/** `client.emit('order.paid', new OutboxRecordBuilder(event).setKey(order.id).build())` */
export class OutboxRecordBuilder<TData = unknown> {
  private options: OutboxRecordOptions = {};

  constructor(private data?: TData) {}

  setData(data: TData): this {
    this.data = data;
    return this;
  }

  setKey(key: string): this {
    this.options = { ...this.options, key };
    return this;
  }

  setHeaders(headers: OutboxHeaders): this {
    this.options = { ...this.options, headers: { ...this.options.headers, ...headers } };
    return this;
  }

  /** Schedules the event: due at `deliverAt` (a Date) or after `delayMs` (a number of ms). */
  setSchedule(when: Date | number): this {
    const schedule = when instanceof Date ? { deliverAt: when } : { delayMs: when };
    this.options = { ...this.options, deliverAt: undefined, delayMs: undefined, ...schedule };
    return this;
  }

  setOptions(options: OutboxRecordOptions): this {
    this.options = { ...this.options, ...options };
    return this;
  }

  build(): OutboxRecord<TData> {
    return new OutboxRecord(this.data as TData, this.options);
  }
}
