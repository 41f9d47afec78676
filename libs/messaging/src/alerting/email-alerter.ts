import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { DeadLetterAlertQueries } from '../dead-letters/dead-letter-alert-queries';
import { InjectMessagingOptions } from '../messaging.constants';
import type { ResolvedMessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../observability/messaging-metrics';
import { AlertBus } from './alert-bus';
import { AlertDigest, AlertDigestSummary } from './alert-digest';
import { renderDigestAlert, renderImmediateAlert, AlertEmailContext } from './alert-email.view';
import type { AlertEvent } from './alert-event';
import { AlertMailer } from './alert-mailer';
import { DurableDigests } from './durable-digests';

/** Dead-letter ids remembered to ignore a repeated alert about the same row. */
const SEEN_DEAD_LETTERS_LIMIT = 10_000;
/** How long shutdown waits for queued emails (digests drained at shutdown included). */
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * G7: emails a human about failures without an email storm. Listens on the AlertBus; the first failure
 * of a class goes out at once, the rest of its window as one digest. Parked messages are windowed and
 * digested from MySQL (DurableDigests), so a crash loses no digest; the other alerts (outbox stuck, job
 * failed) have no row and keep the in-memory policy of AlertDigest. Immediate emails are queued and
 * retried off the caller's path (AlertMailer), so SMTP never slows consuming or publishing.
 */
@Injectable()
export class EmailAlerter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EmailAlerter.name);
  private readonly digest: AlertDigest;
  private readonly mailer: AlertMailer;
  private readonly context: AlertEmailContext;
  private readonly seenDeadLetters = new Set<string>();
  private subscription: Subscription | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private sendingDigests: Promise<void> | null = null;

  constructor(
    @InjectMessagingOptions() private readonly options: ResolvedMessagingOptions,
    private readonly alerts: AlertBus,
    private readonly metrics: MessagingMetrics,
    private readonly deadLetters: DeadLetterAlertQueries,
    private readonly durableDigests: DurableDigests,
  ) {
    const alerting = options.alerting;
    this.digest = new AlertDigest(alerting.digestWindowMs);
    this.context = {
      serviceName: options.serviceName,
      adminBaseUrl: alerting.adminBaseUrl.replace(/\/+$/, ''),
      digestWindowMs: alerting.digestWindowMs,
    };
    this.mailer = new AlertMailer(alerting, metrics);
  }

  onModuleInit(): void {
    this.subscription = this.alerts.subscribe((event) => this.onAlert(event));
    // Windows end on their own schedule; a coarse tick is enough (a digest a second late is fine).
    const tickMs = Math.max(50, Math.min(1000, Math.floor(this.options.alerting.digestWindowMs / 4)));
    this.ticker = setInterval(() => this.flushDue(Date.now()), tickMs);
    this.ticker.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    if (this.ticker) clearInterval(this.ticker);
    // Send what the open windows collected now rather than wait for another process or a restart.
    this.digest.drain().forEach((summary) => this.mailer.enqueue(this.renderDigest(summary)));
    await this.mailer.drain(SHUTDOWN_GRACE_MS);
    await this.sendingDigests;
    await this.durableDigests
      .flush((summary) => this.sendDigest(summary))
      .catch((error: unknown) => {
        this.logger.warn({
          msg: 'digests not sent at shutdown; a running process sends them',
          error: String(error),
        });
      });
    this.mailer.close();
  }

  /** Emails waiting for SMTP (for health checks and tests). */
  get pendingEmails(): number {
    return this.mailer.queued;
  }

  private onAlert(event: AlertEvent): void {
    if (this.isRepeat(event)) return;
    const { deadLetterId } = event;
    if (event.kind !== 'message-parked' || !deadLetterId) {
      this.acceptInMemory(event);
      return;
    }
    void this.durableDigests.opened({ ...event, deadLetterId }).then(
      (opened) => (opened ? this.sendImmediate(event) : this.metrics.alerts.inc({ result: 'suppressed' })),
      (error: unknown) => {
        // MySQL failed right after storing the row: the in-memory policy still emails the human.
        this.logger.warn({ msg: 'alert window unavailable, windowing in memory', error: String(error) });
        this.acceptInMemory(event);
      },
    );
  }

  private acceptInMemory(event: AlertEvent): void {
    if (this.digest.accept(event, Date.now()) === 'collect') {
      this.metrics.alerts.inc({ result: 'suppressed' });
      return;
    }
    this.sendImmediate(event);
  }

  private sendImmediate(event: AlertEvent): void {
    void this.composeImmediate(event).then((email) => this.mailer.enqueue(email));
  }

  /** The same dead letter announced twice is one failure, not two. */
  private isRepeat(event: AlertEvent): boolean {
    if (!event.deadLetterId) return false;
    if (this.seenDeadLetters.has(event.deadLetterId)) return true;
    this.seenDeadLetters.add(event.deadLetterId);
    if (this.seenDeadLetters.size > SEEN_DEAD_LETTERS_LIMIT) {
      this.seenDeadLetters.delete(this.seenDeadLetters.values().next().value as string);
    }
    return false;
  }

  private flushDue(now: number): void {
    for (const summary of this.digest.due(now)) this.mailer.enqueue(this.renderDigest(summary));
    // Durable digests wait for queued emails, so a class's digest never overtakes its first email.
    if (this.sendingDigests || this.mailer.queued > 0) return;
    this.sendingDigests = this.durableDigests
      .sendDue((summary) => this.sendDigest(summary))
      .catch((error: unknown) => this.logger.warn({ msg: 'due digests not read', error: String(error) }))
      .finally(() => (this.sendingDigests = null));
  }

  /** Sent directly, not queued: the window moves on only once the mail server took the digest. */
  private sendDigest(summary: AlertDigestSummary): Promise<void> {
    return this.mailer.send(this.renderDigest(summary));
  }

  private renderDigest(summary: AlertDigestSummary) {
    return renderDigestAlert(summary, this.context);
  }

  private async composeImmediate(event: AlertEvent) {
    return renderImmediateAlert(event, this.context, await this.payloadExcerpt(event));
  }

  /** The start of the parked payload, so the first email shows what failed; never fails the email. */
  private async payloadExcerpt(event: AlertEvent): Promise<string | undefined> {
    const chars = this.options.alerting.payloadExcerptChars;
    if (!event.deadLetterId || chars <= 0) return undefined;
    try {
      return await this.deadLetters.payloadExcerpt(event.deadLetterId, chars);
    } catch (error) {
      this.logger.warn({ msg: 'payload excerpt unavailable for alert email', error: String(error) });
      return undefined;
    }
  }
}
