import { Logger } from '@nestjs/common';
import type { MessagingMetrics } from '../observability/messaging-metrics';
import type { AlertEmail, AlertMailSender } from './alert-email';
import { AlertMailQueue } from './alert-mail-queue';
import type { AlertingOptions } from './alerting.options';
import { LogMailSender } from './log-mail-sender';
import { SmtpMailSender } from './smtp-mail-sender';

const SEND_RETRY_BASE_MS = 500;

/**
 * Delivers alert emails over SMTP (or to the log without an SMTP URL) and counts each outcome in
 * `messaging_alerts_total`: immediate emails through AlertMailQueue, off the caller's path; digests sent
 * directly, so the caller learns whether the mail server took them.
 */
export class AlertMailer {
  private readonly logger = new Logger(AlertMailer.name);
  private readonly sender: AlertMailSender;
  private readonly queue: AlertMailQueue;

  constructor(
    alerting: AlertingOptions,
    private readonly metrics: MessagingMetrics,
  ) {
    this.sender = alerting.smtpUrl
      ? new SmtpMailSender(alerting.smtpUrl, alerting.from, alerting.to)
      : new LogMailSender();
    this.queue = new AlertMailQueue(
      this.sender,
      { limit: alerting.queueLimit, retryBaseMs: SEND_RETRY_BASE_MS, retryMaxMs: alerting.sendRetryMaxMs },
      {
        sent: () => this.metrics.alerts.inc({ result: 'sent' }),
        attemptFailed: (email, error, retryInMs) => {
          this.metrics.alerts.inc({ result: 'failed' });
          this.logger.warn({
            msg: 'alert email not sent, will retry',
            subject: email.subject,
            retryInMs,
            error: String(error),
          });
        },
        dropped: (email, why) => {
          this.metrics.alerts.inc({ result: 'failed' });
          this.logger.error({ msg: 'alert email dropped', subject: email.subject, why });
        },
      },
    );
  }

  /** Emails queued and not yet taken by the mail server. */
  get queued(): number {
    return this.queue.size;
  }

  /** Queued and retried in the background; never waits for SMTP. */
  enqueue(email: AlertEmail): void {
    this.queue.enqueue(email);
  }

  /** Sent now, not queued; rejects when the mail server did not take it. */
  async send(email: AlertEmail): Promise<void> {
    try {
      await this.sender.send(email);
      this.metrics.alerts.inc({ result: 'sent' });
    } catch (error) {
      this.metrics.alerts.inc({ result: 'failed' });
      throw error;
    }
  }

  /** Gives the queue up to `graceMs` to empty; direct sends still work until `close`. */
  async drain(graceMs: number): Promise<void> {
    await this.queue.close(graceMs);
  }

  close(): void {
    this.sender.close();
  }
}
