import { Controller, UseInterceptors, ValidationPipe } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { connectReliableTransport, ReliableEvent, ReliableRmqContext, topologyNames } from '@app/messaging';
import { DedupeInterceptor } from '@app/messaging/testing';
import { useSmtpSink } from '../alerting/smtp-sink';
import { useRawPublisher } from '../consuming/raw-publisher';
import { HandlerEffects, startChild, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { OrderPlaced } from '../support/order-placed';
import { useMessagingApp } from '../support/messaging-app';
import { queuesIdle, waitForSteady } from '../support/quiescence';

jest.setTimeout(120_000);

const PREFIX = 'transport';
const names = topologyNames(PREFIX);
const QUEUE = names.queue('events');

/** Handler runs, per handler: the effects a user would observe. */
const effects = new HandlerEffects();
/** Records through the transport's own context accessors, as a Nest microservice handler reads them. */
const record = (handler: string, payload: unknown, ctx: ReliableRmqContext) =>
  effects.record(handler, payload, { messageId: ctx.getMessageId(), attempt: ctx.getAttempt() });

@Controller()
class EventHandlers {
  @EventPattern('dedupe.*')
  async dedupe(@Payload() payload: unknown, @Ctx() ctx: ReliableRmqContext): Promise<void> {
    record('dedupe', payload, ctx);
  }

  @EventPattern('intercepted.created')
  @UseInterceptors(DedupeInterceptor)
  async intercepted(@Payload() payload: unknown, @Ctx() ctx: ReliableRmqContext): Promise<void> {
    record('intercepted', payload, ctx);
  }

  @EventPattern('flaky.*')
  async flaky(@Payload() payload: { failTimes: number }, @Ctx() ctx: ReliableRmqContext): Promise<void> {
    record('flaky-run', payload, ctx);
    if (ctx.attempt <= payload.failTimes) throw new Error(`flaky failure ${ctx.attempt}`);
    record('flaky', payload, ctx);
  }

  @EventPattern('poison.*')
  async poison(@Payload() payload: { poison?: boolean }, @Ctx() ctx: ReliableRmqContext): Promise<void> {
    if (payload.poison) throw new Error('cannot bill this order');
    record('poison', payload, ctx);
  }

  @EventPattern('validated.created')
  async validated(
    @Payload(new ValidationPipe({ transform: true })) payload: OrderPlaced,
    @Ctx() ctx: ReliableRmqContext,
  ): Promise<void> {
    record('validated', payload instanceof OrderPlaced, ctx);
  }

  @EventPattern('inbox.created')
  @ReliableEvent({ consumer: 'inbox', inbox: true })
  async inbox(@Payload() payload: { n: number }, @Ctx() ctx: ReliableRmqContext): Promise<void> {
    await ctx.getManager().query('INSERT INTO test_effect (message_id) VALUES (?)', [ctx.messageId]);
  }
}

const ns = useTestNamespace('transport');
const sink = useSmtpSink();

describe('reliable Nest transport: @EventPattern handlers on the reliable pipeline', () => {
  const app = useMessagingApp(
    ns,
    {
      controllers: [EventHandlers],
      start: async (created) => {
        const { server } = connectReliableTransport(created, { consumer: 'events' });
        await created.init();
        await created.startAllMicroservices();
        await server.whenConsuming();
      },
    },
    () => ({
      serviceName: 'transport-test',
      topology: { prefix: PREFIX },
      consuming: { retryDelaysMs: [200, 400] },
      relay: { enabled: false },
      alerting: { smtpUrl: sink.url, sendRetryMaxMs: 1_000 },
    }),
  );
  const publisher = useRawPublisher(ns);
  let db: DataSource;

  const publish = (routingKey: string, body: unknown, messageId?: string) =>
    publisher.publish({ exchange: names.eventsExchange, routingKey, body, messageId });
  const deadLetters = (where = '1 = 1') =>
    db.query<Array<{ message_id: string; reason: string; attempts: number; error: string }>>(
      `SELECT message_id, reason, attempts, error FROM dead_letter WHERE ${where} ORDER BY id`,
    );
  const deadLetter = (messageId: string) =>
    waitFor(async () => (await deadLetters(`message_id = '${messageId}'`))[0], {
      what: `dead letter ${messageId}`,
    });
  /** Nothing ready or unacked on the queue for a whole statistics interval, and no handler run meanwhile. */
  const quiet = async () => {
    let runs = -1;
    await waitForSteady(
      async () => {
        const total = effects.total();
        const steady = total === runs;
        runs = total;
        return steady && (await queuesIdle(ns.vhost.name, [QUEUE, names.queue('inbox')]));
      },
      { what: 'the transport queues quiet' },
    );
  };

  beforeAll(async () => {
    db = app.get(DataSource);
    await db.query('CREATE TABLE test_effect (id INT AUTO_INCREMENT PRIMARY KEY, message_id VARCHAR(64))');
  });

  it('runs an @EventPattern handler once for a message delivered five times', async () => {
    for (let i = 0; i < 5; i++) await publish('dedupe.created', { n: 1 }, 'dup-1');
    for (let i = 0; i < 5; i++) await publish('intercepted.created', { n: 1 }, 'dup-2');
    await quiet();
    expect(effects.of('dedupe').filter((e) => e.messageId === 'dup-1')).toHaveLength(1);
    expect(effects.of('intercepted').filter((e) => e.messageId === 'dup-2')).toHaveLength(1);
  });

  it('keeps one effect in inbox mode, written through ctx.getManager()', async () => {
    for (let i = 0; i < 5; i++) await publish('inbox.created', { n: i }, 'inbox-1');
    await quiet();
    expect(await db.query('SELECT message_id FROM test_effect')).toEqual([{ message_id: 'inbox-1' }]);
    expect(await db.query("SELECT message_id FROM inbox_message WHERE consumer = 'inbox'")).toEqual([
      { message_id: 'inbox-1' },
    ]);
  });

  it('retries a handler that fails twice: attempts 1, 2, 3 and one effect', async () => {
    const id = await publish('flaky.created', { failTimes: 2 });
    await waitFor(() => effects.of('flaky').some((e) => e.messageId === id), { what: 'the flaky message' });
    await quiet();
    const runs = effects.of('flaky-run').filter((e) => e.messageId === id);
    expect(runs.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(effects.of('flaky').filter((e) => e.messageId === id)).toEqual([
      expect.objectContaining({ attempt: 3 }),
    ]);
    expect(await deadLetters(`message_id = '${id}'`)).toEqual([]);
  });

  it('parks an always-failing message once, with an alert, while 100 good messages flow', async () => {
    const poisonId = await publish('poison.created', { poison: true });
    const good: string[] = [];
    for (let i = 0; i < 100; i++) good.push(await publish('poison.created', { poison: false, i }));
    const parked = await deadLetter(poisonId);
    expect(parked).toMatchObject({ reason: 'handler-error', attempts: 3 });
    expect(parked.error).toContain('cannot bill this order');
    const email = await waitFor(() => sink.received.find((m) => m.text.includes(poisonId)), {
      what: 'the alert email naming the poison message',
    });
    expect(email.subject).toContain(`handler-error on ${QUEUE}`);
    await quiet();
    expect(new Set(effects.of('poison').map((e) => e.messageId))).toEqual(new Set(good));
    expect(effects.of('poison')).toHaveLength(100);
    expect(await deadLetters(`message_id = '${poisonId}'`)).toHaveLength(1);
  });

  it('parks malformed JSON as malformed-json and a ValidationPipe refusal as validation-failed', async () => {
    const malformed = await publish('dedupe.created', Buffer.from('{"orderId": '));
    const invalid = await publish('validated.created', { orderId: 'o-1', amount: -5 });
    const valid = await publish('validated.created', { orderId: 'o-2', amount: 5 });
    expect(await deadLetter(malformed)).toMatchObject({ reason: 'malformed-json', attempts: 0 });
    const refused = await deadLetter(invalid);
    expect(refused.reason).toBe('validation-failed');
    expect(refused.error).toMatch(/amount/);
    await quiet();
    expect(effects.of('validated')).toEqual([expect.objectContaining({ messageId: valid, payload: true })]);
    // Refused at once: one run, never retried.
    expect(effects.of('dedupe').some((e) => e.messageId === malformed)).toBe(false);
  });

  it('parks a routing key no handler matches as no-handler (not dropped, not requeued)', async () => {
    // The queue's bindings only admit keys some handler matches: this is a retry copy (which keeps its
    // key in a header) whose handler is gone.
    const id = await publisher.publish({
      exchange: '',
      routingKey: QUEUE,
      body: { n: 1 },
      headers: { 'x-original-routing-key': 'nobody.home' },
    });
    expect(await deadLetter(id)).toMatchObject({ reason: 'no-handler', attempts: 0 });
    await quiet();
    expect(await deadLetters(`message_id = '${id}'`)).toHaveLength(1);
  });

  it('parks a message sent straight to a queue of several handlers as no-handler', async () => {
    const id = await publisher.publish({ exchange: '', routingKey: QUEUE, body: { n: 2 } });
    expect(await deadLetter(id)).toMatchObject({ reason: 'no-handler', attempts: 0 });
  });

  it('refuses @MessagePattern at start-up, naming the handler (the app does not start)', async () => {
    // A process of its own: the refused app exits as a real one would, leaving nothing open here.
    const child = startChild(join(__dirname, 'fixtures', 'rpc-refusal.fixture.ts'), ns.env({}));
    expect(await child.exited).toBe(1);
    expect(child.output()).toMatch(/refused: .*RpcHandlers\.quote .*@MessagePattern.*events only/);
    expect(child.output()).not.toContain('started');
  });
});
