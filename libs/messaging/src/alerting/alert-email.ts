/** One rendered alert email: a human-readable subject and both a plain-text and an HTML part. */
export interface AlertEmail {
  subject: string;
  text: string;
  html: string;
}

/** Where rendered alert emails go: SMTP, or the log when no SMTP URL is configured. */
export interface AlertMailSender {
  send(email: AlertEmail): Promise<void>;
  close(): void;
}
