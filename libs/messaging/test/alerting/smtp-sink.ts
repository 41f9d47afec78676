import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One email the sink received, parsed. */
export interface ReceivedEmail {
  subject: string;
  text: string;
  html: string;
  to: string;
}

/**
 * An SMTP server of the test's own on a free loopback port: receives alert emails so tests assert them
 * by content, and can be stopped and started again on the same port to play an SMTP outage.
 */
export class SmtpSink {
  readonly received: ReceivedEmail[] = [];
  private server: SMTPServer | null = null;
  private port = 0;

  get running(): boolean {
    return this.server !== null;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      // Stopping plays an outage: do not wait long for idle client connections.
      closeTimeout: 500,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push({
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              to: [mail.to ?? []]
                .flat()
                .map((address) => address.text)
                .join(', '),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  withSubject(pattern: RegExp): ReceivedEmail[] {
    return this.received.filter((email) => pattern.test(email.subject));
  }
}

/**
 * An `SmtpSink` started in `beforeAll` and stopped in `afterAll`. Call it at the top level of the file,
 * before the describe (as `useTestNamespace`): the describe's apps then start after the sink and close
 * before it stops, so no app sends into a stopped sink on its way down.
 */
export function useSmtpSink(): SmtpSink {
  const sink = new SmtpSink();
  beforeAll(() => sink.start());
  afterAll(() => sink.stop());
  return sink;
}
