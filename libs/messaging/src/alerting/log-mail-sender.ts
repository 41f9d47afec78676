import { Logger } from '@nestjs/common';
import type { AlertEmail, AlertMailSender } from './alert-email';

/** Used when no SMTP URL is configured: the alert still reaches a human through the logs. */
export class LogMailSender implements AlertMailSender {
  private readonly logger = new Logger('EmailAlerter');

  send(email: AlertEmail): Promise<void> {
    this.logger.warn({
      msg: 'alert email (SMTP_URL empty, not sent)',
      subject: email.subject,
      text: email.text,
    });
    return Promise.resolve();
  }

  close(): void {}
}
