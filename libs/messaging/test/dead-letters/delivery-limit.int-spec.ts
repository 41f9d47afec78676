import { Injectable } from '@nestjs/common';
import { connect } from 'amqplib';
import { DataSource } from 'typeorm';
import { ReliableSubscribe, topologyNames } from '@app/messaging/testing';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { useOpened } from '../support/block-fixture';
import { useConsumingApp } from '../support/messaging-app';
import { useSmtpSink } from '../alerting/smtp-sink';

const PREFIX = 'dl';
const names = topologyNames(PREFIX);
const QUEUE = names.queue('held');
// The library requires a delivery limit above maxAttempts.
const DELIVERY_LIMIT = 2;

/** Holds the first message until released: the subscription (prefetch 1) takes nothing else meanwhile. */
@Injectable()
class HeldHandler {
  release: () => void = () => undefined;
  readonly blocking = new Promise<void>((resolve) => (this.release = resolve));
  entered = false;

  @ReliableSubscribe({ consumer: 'held', routingKey: 'held.*', prefetch: 1 })
  async handle(): Promise<void> {
    this.entered = true;
    await this.blocking;
  }
}

const ns = useTestNamespace('delivery_limit');
const sink = useSmtpSink();

describe('A message over the quorum queue delivery limit (broker backstop)', () => {
  // Declared before the app: Jest runs afterAll hooks in that order, so the held delivery goes first.
  afterAll(() => app.get(HeldHandler).release());
  const app = useConsumingApp(ns, { providers: [HeldHandler] }, () => ({
    serviceName: 'billing',
    relay: { enabled: false },
    topology: { prefix: PREFIX },
    consuming: { deliveryLimit: DELIVERY_LIMIT, maxAttempts: 1 },
    alerting: { smtpUrl: sink.url },
  }));
  const amqp = useOpened('the test connection', () => connect(ns.vhost.url));

  it('is recorded as a delivery-limit dead letter, alerted, and acked off the DLQ', async () => {
    const channel = await amqp.createChannel();
    channel.publish(names.eventsExchange, 'held.first', Buffer.from('{"n":1}'), { messageId: 'first' });
    await waitFor(() => app.get(HeldHandler).entered, { what: 'the subscription holding its one delivery' });

    // Another consumer of the work queue requeues every delivery of the next message: a consumer that
    // crashes or gives it back each time, which the broker stops after x-delivery-limit.
    await channel.prefetch(1);
    let deliveries = 0;
    await channel.consume(QUEUE, (message) => {
      if (!message) return;
      deliveries += 1;
      channel.nack(message, false, true);
    });
    channel.sendToQueue(QUEUE, Buffer.from('{"n":2}'), { messageId: 'over-limit', persistent: true });

    const rows = await waitFor(
      async () => {
        const found = await app
          .get(DataSource)
          .query<Array<{ reason: string; queue: string; consumer: string; payload: string }>>(
            "SELECT reason, queue, consumer, payload FROM dead_letter WHERE message_id = 'over-limit'",
          );
        return found.length > 0 && found;
      },
      { what: 'the dead letter of the message over the limit' },
    );
    expect(rows).toEqual([{ reason: 'delivery-limit', queue: QUEUE, consumer: 'held', payload: '{"n":2}' }]);
    expect(deliveries).toBe(DELIVERY_LIMIT + 1);
    const email = await waitFor(() => sink.withSubject(/delivery-limit/)[0], { what: 'the alert email' });
    expect(email.subject).toBe(`[billing] Message parked: delivery-limit on ${QUEUE}`);
    // Acked only once stored: the DLQ is empty and nothing is unacknowledged there.
    const dlq = await channel.checkQueue(names.deadLetterQueue(QUEUE));
    expect(dlq.messageCount).toBe(0);
    await channel.close();
  }, 30_000);
});
