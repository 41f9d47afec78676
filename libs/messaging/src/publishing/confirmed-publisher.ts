import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { Subject, Subscription } from 'rxjs';
import { InjectOptions } from '../messaging.constants';
import type { RelayOptions } from '../outbox/outbox.options';
import { MessagingMetrics } from '../observability/messaging-metrics';
import { ChannelConfirms } from './channel-confirms';
import { publishWithConfirm } from './confirm-channel-publish';
import { ConfirmDeadlines } from './confirm-deadlines';
import { AwaitingConfirm, ConfirmOutcomes, PendingConfirm, PublishDone } from './pending-confirm';
import {
  BrokerUnavailableError,
  ChannelError,
  ConfirmTimeoutError,
  ExchangeNotFoundError,
  PublishFailure,
  PublishNackedError,
  UnroutableError,
} from './publish-failure';

/** One message to publish: the body bytes and the AMQP properties derived from an outbox row. */
export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  messageId: string;
  properties: Options.Publish;
}

interface OpenChannel {
  channel: ConfirmChannel;
  /** Its publishes awaiting the broker's ack or nack, by delivery tag. */
  confirms: ChannelConfirms<AwaitingConfirm<OpenChannel>>;
  /** The error the broker closed the channel with (404 for a missing exchange), once it did. */
  closeError?: Error & { code?: number };
}

/** AMQP reply code of a connection closed by the broker on purpose (stop_app, shutdown). */
const CONNECTION_FORCED = 320;
const NOT_FOUND = 404;
const REOPEN_DELAY_MS = 200;
const NACKED = 'message nacked';

/** The fields of a `basic.ack` or `basic.nack` as amqplib emits them on the channel. */
interface ConfirmFields {
  deliveryTag: number;
  multiple: boolean;
}

/**
 * Publishes on a confirm channel of its own with `mandatory: true` and reports each message's outcome as
 * a value: `undefined` when the broker acked a routed message, otherwise the PublishFailure (G2).
 * Opens a new channel by itself after a 404 closed one and after golevelup reconnected.
 */
@Injectable()
export class ConfirmedPublisher implements OnModuleInit, OnApplicationShutdown, ConfirmOutcomes<OpenChannel> {
  private readonly logger = new Logger(ConfirmedPublisher.name);
  private readonly readySignals = new Subject<void>();
  /** Message ids the broker returned as unroutable; the return always arrives before the ack. */
  private readonly returned = new Set<string>();
  private current: OpenChannel | null = null;
  private opening = false;
  private closed = false;
  private readonly deadlines: ConfirmDeadlines;

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly metrics: MessagingMetrics,
    @InjectOptions('relay') private readonly options: RelayOptions,
  ) {
    this.deadlines = new ConfirmDeadlines(options.confirmTimeoutMs);
  }

  onModuleInit(): void {
    const managed = this.amqp.managedConnection;
    managed.on('connect', ({ connection }: { connection: ChannelModel }) => void this.open(connection));
    if (managed.connection) void this.open(managed.connection);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const open = this.current;
    this.current = null;
    await open?.channel.close().catch(() => undefined);
    this.deadlines.clear();
  }

  get ready(): boolean {
    return this.current !== null;
  }

  /** Called each time a channel opened: the relay resumes draining. */
  onReady(listener: () => void): Subscription {
    return this.readySignals.subscribe(listener);
  }

  /**
   * Publishes with mandatory=true (an ack alone does not mean a queue got it; the return comes first)
   * and calls `done` once with the outcome and `tag`, always after this call returned.
   */
  publish<T>(message: OutgoingMessage, tag: T, done: PublishDone<T>): void {
    const open = this.current;
    const { messageId, exchange, routingKey } = message;
    if (!open) {
      queueMicrotask(() => done(new BrokerUnavailableError(messageId, exchange, 'no open channel'), tag));
      return;
    }
    const pending = this.deadlines.add(
      new PendingConfirm(this, open, messageId, exchange, routingKey, tag, done),
    );
    try {
      publishWithConfirm(open.channel, message, true);
      // After the send: a publish that threw never reached the broker and takes no delivery tag.
      open.confirms.push(pending);
    } catch (error) {
      const failure = new BrokerUnavailableError(messageId, exchange, (error as Error).message);
      queueMicrotask(() => this.settle(pending, failure));
    }
  }

  /** The broker's answer to a publish, from its channel's ack and nack events. */
  private confirmed(pending: AwaitingConfirm<OpenChannel>, error: Error | null): void {
    const { messageId, exchange } = pending;
    if (error) return this.settle(pending, this.classify(error, pending.channel, messageId, exchange));
    const unroutable = this.returned.has(messageId);
    this.settle(
      pending,
      unroutable
        ? new UnroutableError(messageId, exchange, `no queue bound for '${pending.routingKey}'`)
        : undefined,
    );
  }

  /** @internal PendingConfirm's report of its deadline passing without an answer. */
  expired(pending: AwaitingConfirm<OpenChannel>): void {
    this.returned.delete(pending.messageId);
    pending.report(
      new ConfirmTimeoutError(
        pending.messageId,
        pending.exchange,
        `no confirm within ${this.options.confirmTimeoutMs} ms`,
      ),
    );
  }

  private settle(pending: AwaitingConfirm<OpenChannel>, failure: PublishFailure | undefined): void {
    if (!pending.open) return;
    this.deadlines.close(pending);
    this.returned.delete(pending.messageId);
    if (!failure) this.metrics.publishConfirmSeconds.observe((performance.now() - pending.started) / 1000);
    pending.report(failure);
  }

  private classify(error: Error, open: OpenChannel, messageId: string, exchange: string): PublishFailure {
    if (error.message === NACKED) return new PublishNackedError(messageId, exchange, 'nacked');
    const cause = open.closeError;
    if (!cause || cause.code === CONNECTION_FORCED) {
      return new BrokerUnavailableError(messageId, exchange, cause?.message ?? error.message);
    }
    if (cause.code === NOT_FOUND) {
      // Every publish in flight dies with the channel; only the rows for the missing exchange are at fault.
      return cause.message.includes(`no exchange '${exchange}'`)
        ? new ExchangeNotFoundError(messageId, exchange, cause.message)
        : new BrokerUnavailableError(
            messageId,
            exchange,
            `channel closed by another publish: ${cause.message}`,
          );
    }
    return new ChannelError(messageId, exchange, cause.message);
  }

  private async open(connection: ChannelModel): Promise<void> {
    if (this.opening || this.closed) return;
    this.opening = true;
    try {
      const channel = await connection.createConfirmChannel();
      const open: OpenChannel = {
        channel,
        confirms: new ChannelConfirms((pending, error) => this.confirmed(pending, error)),
      };
      channel.on('ack', (f: ConfirmFields) => open.confirms.confirm(f.deliveryTag, f.multiple, null));
      channel.on('nack', (f: ConfirmFields) =>
        open.confirms.confirm(f.deliveryTag, f.multiple, new Error(NACKED)),
      );
      // Without an 'error' listener a channel error (404) would take the whole connection down.
      channel.on('error', (error: Error & { code?: number }) => (open.closeError = error));
      channel.on('return', (returned: { properties: { messageId?: string } }) => {
        if (returned.properties.messageId) this.returned.add(returned.properties.messageId);
      });
      channel.on('close', () => this.closedChannel(open, connection));
      this.current = open;
      this.readySignals.next();
    } catch (error) {
      this.logger.warn({ msg: 'could not open a confirm channel', error: (error as Error).message });
      setTimeout(() => this.reopenIfConnected(connection), REOPEN_DELAY_MS).unref();
    } finally {
      this.opening = false;
    }
  }

  private closedChannel(open: OpenChannel, connection: ChannelModel): void {
    if (this.current === open) this.current = null;
    // After 'error' (closeError set): each publish still open is classified by what closed the channel.
    open.confirms.close(new Error('channel closed'));
    if (open.closeError) {
      this.logger.warn({ msg: 'confirm channel closed', error: open.closeError.message });
    }
    setTimeout(() => this.reopenIfConnected(connection), REOPEN_DELAY_MS).unref();
  }

  private reopenIfConnected(connection: ChannelModel): void {
    // After a lost connection golevelup reconnects and its 'connect' event opens the next channel.
    if (this.current || this.closed || this.amqp.managedConnection.connection !== connection) return;
    void this.open(connection);
  }
}
