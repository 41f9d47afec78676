import { createTransport, Transporter } from 'nodemailer';
import type { AlertEmail, AlertMailSender } from './alert-email';

/** Seconds a silent SMTP server may hold one attempt before it counts as failed and is retried. */
const SMTP_TIMEOUT_MS = 10_000;

/** Sends alert emails through nodemailer to the configured SMTP relay. */
export class SmtpMailSender implements AlertMailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly to: string,
  ) {
    // Short timeouts: a hanging relay must fail the attempt so the queue retries, not stall it for minutes.
    // They sit next to the url: createTransport's second argument holds message defaults, not connection options.
    this.transport = createTransport({
      url: smtpUrl,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
  }

  async send(email: AlertEmail): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: this.to, ...email });
  }

  close(): void {
    this.transport.close();
  }
}
