/** Email alerts about parked messages and a stuck outbox. */
export interface AlertingOptions {
  /** `smtp://host:port` of the mail relay; alerts are only logged when empty. */
  smtpUrl: string;
  /** Recipients, comma-separated. @default 'oncall@example.com' */
  to: string;
  /** Sender address. @default 'messaging@localhost' */
  from: string;
  /** Further failures of a class within this window go into one digest. @default 300000 (5 min) */
  digestWindowMs: number;
  /** Base URL of the admin page, linked from emails. @default 'http://localhost:3000/admin' */
  adminBaseUrl: string;
  /** Emails waiting for SMTP at most; older ones are dropped (dead letters stay in MySQL). @default 1000 */
  queueLimit: number;
  /** Characters of the parked payload quoted in the immediate email; 0 quotes none. @default 500 */
  payloadExcerptChars: number;
  /** Longest pause between attempts to send one email while SMTP fails. @default 30000 */
  sendRetryMaxMs: number;
}

export const ALERTING_DEFAULTS: AlertingOptions = {
  smtpUrl: '',
  to: 'oncall@example.com',
  from: 'messaging@localhost',
  digestWindowMs: 300_000,
  adminBaseUrl: 'http://localhost:3000/admin',
  queueLimit: 1000,
  payloadExcerptChars: 500,
  sendRetryMaxMs: 30_000,
};
