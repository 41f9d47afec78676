import {
  CallHandler,
  CanActivate,
  ExecutionContext,
  Injectable,
  Module,
  NestInterceptor,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { DeliveryContext, ReliableSubscribe, topologyNames } from '@app/messaging';
import { MESSAGING_REDIS, MessagingMetrics } from '@app/messaging/testing';
import { deleteKeys, HandlerEffects, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { OrderPlaced } from '../support/order-placed';
import { useConsumingApp } from '../support/messaging-app';
import { useRawPublisher } from './raw-publisher';

jest.setTimeout(60_000);

const PREFIX = 'consume';
const names = topologyNames(PREFIX);

/** Effects the handlers had, per consumer: what a user would observe (a side effect per handled run). */
const effects = new HandlerEffects();

@Injectable()
class OrderHandlers {
  @ReliableSubscribe({ consumer: 'dedupe', routingKey: 'dedupe.*' })
  async dedupe(payload: unknown, context: DeliveryContext): Promise<void> {
    effects.record('dedupe', payload, context);
  }

  @ReliableSubscribe({ consumer: 'inbox', routingKey: 'inbox.*', inbox: true })
  async inbox(payload: { n: number }, context: DeliveryContext): Promise<void> {
    await context.manager!.query('INSERT INTO test_effect (consumer, message_id) VALUES (?, ?)', [
      'inbox',
      context.messageId,
    ]);
  }

  @ReliableSubscribe({ consumer: 'flaky', routingKey: 'flaky.*' })
  async flaky(payload: { failTimes: number }, context: DeliveryContext): Promise<void> {
    effects.record('flaky-run', payload, context);
    if (context.attempt <= payload.failTimes) throw new Error(`flaky failure ${context.attempt}`);
    effects.record('flaky', payload, context);
  }

  @ReliableSubscribe({ consumer: 'poison', routingKey: 'poison.*' })
  async poison(payload: { poison?: boolean }, context: DeliveryContext): Promise<void> {
    if (payload.poison) throw new Error('cannot bill this order');
    effects.record('poison', payload, context);
  }

  @ReliableSubscribe({ consumer: 'rejecting', routingKey: 'reject.*', retry: { mode: 'reject-to-dlq' } })
  async rejecting(_payload: unknown, _context: DeliveryContext): Promise<void> {
    throw new Error('always rejects');
  }

  @ReliableSubscribe({ consumer: 'in-process', routingKey: 'in-process.*', retry: { mode: 'in-process' } })
  async inProcess(payload: { failTimes: number }, context: DeliveryContext): Promise<void> {
    if (context.attempt <= payload.failTimes) throw new Error(`in-process failure ${context.attempt}`);
    effects.record('in-process', payload, context);
  }

  @ReliableSubscribe({ consumer: 'validated', routingKey: 'validated.*', schema: OrderPlaced })
  async validated(payload: OrderPlaced, context: DeliveryContext): Promise<void> {
    effects.record('validated', payload instanceof OrderPlaced, context);
  }
}

@Injectable()
class ShippingHandler {
  @ReliableSubscribe({ consumer: 'second-module', routingKey: 'second.*' })
  async ship(payload: unknown, context: DeliveryContext): Promise<void> {
    effects.record('second-module', payload, context);
  }
}

/** What the handler's own guard and interceptor saw: the context type and message id, per call. */
const enhancerCalls: string[] = [];

@Injectable()
class RecordingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    enhancerCalls.push(`guard ${context.getType()} ${context.getArgByIndex<DeliveryContext>(1).messageId}`);
    return context.getArgByIndex<{ deny?: boolean }>(0).deny !== true;
  }
}

@Injectable()
class RecordingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    enhancerCalls.push(`interceptor ${context.getArgByIndex<DeliveryContext>(1).messageId}`);
    return next.handle();
  }
}

@Injectable()
class EnhancedHandler {
  @ReliableSubscribe({ consumer: 'enhanced', routingKey: 'enhanced.*', retry: { maxAttempts: 1 } })
  @UseGuards(RecordingGuard)
  @UseInterceptors(RecordingInterceptor)
  async handle(payload: unknown, context: DeliveryContext): Promise<void> {
    effects.record('enhanced', payload, context);
  }
}

@Module({ providers: [ShippingHandler] })
class ShippingModule {}

const ns = useTestNamespace('consuming');

describe('reliable consuming (manual ack, dedupe, retries, dead letters)', () => {
  const app = useConsumingApp(
    ns,
    { providers: [OrderHandlers, EnhancedHandler], imports: [ShippingModule] },
    {
      serviceName: 'consuming-test',
      topology: { prefix: PREFIX },
      consuming: { retryDelaysMs: [200, 400], maxMessageBytes: 4096 },
      relay: { enabled: false },
    },
  );
  const publisher = useRawPublisher(ns);
  let db: DataSource;

  const publish = (routingKey: string, body: unknown, messageId?: string | null) =>
    publisher.publish({ exchange: names.eventsExchange, routingKey, body, messageId });
  const deadLetters = (consumer: string) =>
    db.query<Array<{ message_id: string; reason: string; attempts: number; queue: string }>>(
      'SELECT message_id, reason, attempts, queue FROM dead_letter WHERE consumer = ? ORDER BY id',
      [consumer],
    );

  /** Deliveries of a queue settled so far (handled, duplicate, retried or parked), from the app's metrics. */
  const settled = async (queue: string) => {
    const { values } = await app.get(MessagingMetrics).consumed.get();
    return values.filter((v) => v.labels.queue === queue).reduce((sum, v) => sum + v.value, 0);
  };

  beforeAll(async () => {
    db = app.get(DataSource);
    await db.query(
      'CREATE TABLE test_effect (id INT AUTO_INCREMENT PRIMARY KEY, consumer VARCHAR(64), message_id VARCHAR(64))',
    );
  });

  it('runs the handler once for a message delivered five times', async () => {
    for (let i = 0; i < 5; i++) await publish('dedupe.created', { n: 1 }, 'dup-1');
    await publish('dedupe.created', { n: 2 }, 'after-dup');
    await waitFor(() => effects.of('dedupe').some((e) => e.messageId === 'after-dup'), {
      what: 'the message published after the duplicates',
    });
    await waitFor(async () => (await settled(names.queue('dedupe'))) === 6, {
      what: 'six deliveries settled',
    });
    expect(effects.of('dedupe').filter((e) => e.messageId === 'dup-1')).toHaveLength(1);
  });

  it('keeps the effect once in inbox mode even when Redis loses its marks between deliveries', async () => {
    const redis = app.get<Redis>(MESSAGING_REDIS);
    for (let i = 0; i < 5; i++) {
      await publish('inbox.created', { n: i }, 'inbox-1');
      await waitFor(async () => (await settled(names.queue('inbox'))) === i + 1, {
        what: `delivery ${i + 1} settled`,
      });
      await deleteKeys(`${ns.redis.prefix}*`);
      expect(await redis.keys(`${ns.redis.prefix}dedupe:inbox:*`)).toEqual([]);
    }
    const rows = await db.query("SELECT message_id FROM test_effect WHERE consumer = 'inbox'");
    expect(rows).toEqual([{ message_id: 'inbox-1' }]);
    const inbox = await db.query("SELECT message_id FROM inbox_message WHERE consumer = 'inbox'");
    expect(inbox).toEqual([{ message_id: 'inbox-1' }]);
  });

  /**
   * Publishes `{ failTimes: 2 }` to `consumer` and waits until its handler recorded it: once, on attempt 3.
   * Returns the message id.
   */
  const handledOnceAfterTwoFailures = async (consumer: string, what: string) => {
    const id = await publish(`${consumer}.created`, { failTimes: 2 });
    await waitFor(() => effects.of(consumer).some((e) => e.messageId === id), { what });
    expect(effects.of(consumer).filter((e) => e.messageId === id)).toEqual([
      expect.objectContaining({ attempt: 3 }),
    ]);
    return id;
  };

  it('retries a handler that fails twice and applies its effect once, on the third attempt', async () => {
    const id = await handledOnceAfterTwoFailures('flaky', 'the flaky message handled');
    expect(
      effects
        .of('flaky-run')
        .filter((e) => e.messageId === id)
        .map((e) => e.attempt),
    ).toEqual([1, 2, 3]);
    expect(await deadLetters('flaky')).toEqual([]);
  });

  it('parks an always-failing message after 3 attempts while 100 good messages keep flowing', async () => {
    const poisonId = await publish('poison.created', { poison: true });
    const good = [];
    for (let i = 0; i < 100; i++) good.push(await publish('poison.created', { poison: false, i }));
    await waitFor(() => effects.of('poison').length === 100, { what: '100 good messages handled' });
    const [parked] = await waitFor(
      async () => {
        const rows = await deadLetters('poison');
        return rows.length > 0 && rows;
      },
      { what: 'the poison message parked' },
    );
    expect(parked).toMatchObject({ message_id: poisonId, reason: 'handler-error', attempts: 3 });
    expect(await deadLetters('poison')).toHaveLength(1);
    expect(new Set(effects.of('poison').map((e) => e.messageId))).toEqual(new Set(good));
    expect(await publisher.depth(names.queue('poison'))).toBe(0);
  });

  it('rejects into the DLQ and records the dead letter in reject-to-dlq mode', async () => {
    const id = await publish('reject.created', { n: 1 });
    const dlq = names.deadLetterQueue(names.queue('rejecting'));
    const dead = await waitFor(() => publisher.take(dlq), { what: 'the message in the DLQ' });
    expect(dead.messageId).toBe(id);
    const rows = await deadLetters('rejecting');
    expect(rows).toEqual([expect.objectContaining({ message_id: id, reason: 'handler-error', attempts: 3 })]);
  });

  it('retries in process with backoff in in-process mode', async () => {
    await handledOnceAfterTwoFailures('in-process', 'in-process handled');
  });

  it('parks bad input at once with its reason and keeps the queue flowing', async () => {
    const malformed = await publisher.publish({
      exchange: names.eventsExchange,
      routingKey: 'validated.created',
      body: Buffer.from('{"orderId": '),
    });
    const invalid = await publish('validated.created', { orderId: 'o-1', amount: 0 });
    const oversized = await publish('validated.created', { orderId: 'x'.repeat(5000), amount: 1 });
    await publish('validated.created', { orderId: 'o-2', amount: 1 }, null);
    const valid = await publish('validated.created', { orderId: 'o-3', amount: 5 });
    await waitFor(async () => (await deadLetters('validated')).length === 4, {
      what: 'four parked messages',
    });
    const rows = await deadLetters('validated');
    // Deliveries are handled concurrently (prefetch), so the parks commit in any order.
    expect(
      rows.map((r) => [r.message_id.startsWith('missing:') ? 'missing' : r.message_id, r.reason]),
    ).toEqual(
      expect.arrayContaining([
        [malformed, 'malformed-json'],
        [invalid, 'schema-invalid'],
        [oversized, 'payload-too-large'],
        ['missing', 'missing-message-id'],
      ]),
    );
    await waitFor(() => effects.of('validated').some((e) => e.messageId === valid), {
      what: 'valid one handled',
    });
    expect(effects.of('validated')).toEqual([expect.objectContaining({ messageId: valid, payload: true })]);
  });

  it('applies the dedupe interceptor to a reliable handler declared in another module', async () => {
    for (let i = 0; i < 3; i++) await publish('second.created', { n: 1 }, 'second-1');
    await waitFor(async () => (await settled(names.queue('second-module'))) === 3, {
      what: 'three deliveries settled',
    });
    expect(effects.of('second-module')).toHaveLength(1);
    const redis = app.get<Redis>(MESSAGING_REDIS);
    expect(await redis.get(`${ns.redis.prefix}dedupe:second-module:second-1`)).toBe('done');
  });

  it("runs a reliable handler's own guards and interceptors, after dedupe stopped the duplicates", async () => {
    for (let i = 0; i < 3; i++) await publish('enhanced.created', { n: 1 }, 'enhanced-1');
    await waitFor(async () => (await settled(names.queue('enhanced'))) === 3, {
      what: 'three deliveries settled',
    });
    expect(enhancerCalls).toEqual(['guard rmq enhanced-1', 'interceptor enhanced-1']);
    expect(effects.of('enhanced')).toEqual([expect.objectContaining({ messageId: 'enhanced-1' })]);

    await publish('enhanced.created', { deny: true }, 'enhanced-denied');
    const [parked] = await waitFor(async () => deadLetters('enhanced'), { what: 'denied message parked' });
    expect(parked).toMatchObject({ message_id: 'enhanced-denied', reason: 'handler-error' });
    expect(effects.of('enhanced')).toHaveLength(1);
  });
});
