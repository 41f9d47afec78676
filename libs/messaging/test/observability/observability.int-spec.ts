import { AmqpConnection, RabbitSubscribe } from '@golevelup/nestjs-rabbitmq';
import { Body, Controller, Get, Injectable, Logger, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { LoggerModule, Logger as PinoLogger } from 'nestjs-pino';
import { connect } from 'amqplib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { currentTraceHeaders, hardenHttpApp, messagingLoggerParams, MessagingModule } from '@app/messaging';
import { REPO_ROOT, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';

const QUEUE = 'observability-probe';
const INCOMING_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_TRACEPARENT = `00-${INCOMING_TRACE_ID}-00f067aa0ba902b7-01`;

type LogLine = Record<string, unknown>;
const logLines: LogLine[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      logLines.push(JSON.parse(line) as LogLine);
    done();
  },
});

@Controller('probe')
class ProbeController {
  private readonly logger = new Logger('Probe');

  @Get('trace')
  trace(): Record<string, string> {
    this.logger.log('handling the probe request');
    return currentTraceHeaders();
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('login')
  login(@Res({ passthrough: true }) response: Response): { ok: true } {
    response.cookie('session', 'session-secret-7', { httpOnly: true });
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret detail of a failure');
  }
}

@Injectable()
class ProbeSubscriber {
  private readonly logger = new Logger('ProbeSubscriber');

  @RabbitSubscribe({ exchange: 'probe', routingKey: 'probe.#', queue: QUEUE })
  handle(): void {
    this.logger.log('probe message handled');
  }
}

const ns = useTestNamespace('observability');

describe('Observability: health, metrics, logs, trace context and HTTP hardening', () => {
  let app: NestExpressApplication;
  let baseUrl: string;

  beforeAll(async () => {
    // The probe subscription binds to this exchange at start-up; golevelup waits forever on a missing one.
    const connection = await connect(ns.vhost.url);
    await (await connection.createChannel()).assertExchange('probe', 'topic', { durable: false });
    await connection.close();
    const params = messagingLoggerParams({ level: 'info', service: 'observability-test' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        LoggerModule.forRoot({ pinoHttp: [params.pinoHttp as object, logStream] }),
        MessagingModule.forRoot(
          ns.options({
            serviceName: 'observability-test',
            relay: { enabled: false },
            monitoring: { outboxStuckAfterMs: 60_000 },
          }),
        ),
      ],
      controllers: [ProbeController],
      providers: [ProbeSubscriber],
    }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
    app.useLogger(app.get(PinoLogger));
    hardenHttpApp(app);
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    const amqp = app.get(AmqpConnection);
    await waitFor(() => amqp.connected, { what: 'the broker connection' });
  });

  afterAll(async () => {
    await app?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${baseUrl}${path}`, { headers });

  it('reports live, and ready with MySQL, RabbitMQ, Redis and the outbox up', async () => {
    expect((await get('/health/live')).status).toBe(200);
    const ready = await waitFor(
      async () => {
        const response = await get('/health/ready');
        return response.status === 200 && ((await response.json()) as { info: Record<string, unknown> });
      },
      { what: '/health/ready to answer 200' },
    );
    expect(Object.keys(ready.info).sort()).toEqual(['mysql', 'outbox', 'rabbitmq', 'redis']);
  });

  it('exposes outbox backlog gauges, library metrics and Node default metrics on /metrics', async () => {
    const db = app.get(DataSource);
    await db.query(
      `INSERT INTO outbox_message (message_id, exchange, routing_key, payload, created_at, next_attempt_at)
       VALUES (?, 'orders', 'order.created', '{}', UTC_TIMESTAMP(3) - INTERVAL 30 SECOND, UTC_TIMESTAMP(3)),
              (?, 'orders', 'order.created', '{}', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
      ['metrics-1', 'metrics-2'],
    );
    try {
      const response = await get('/metrics');
      const text = await response.text();
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(text).toMatch(/^messaging_outbox_pending 2$/m);
      const age = Number(/^messaging_outbox_oldest_pending_seconds (\S+)$/m.exec(text)?.[1]);
      expect(age).toBeGreaterThanOrEqual(30);
      expect(age).toBeLessThan(300);
      expect(text).toContain('# TYPE messaging_publish_confirm_seconds histogram');
      expect(text).toContain('# TYPE messaging_consumed_total counter');
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    } finally {
      await db.query("DELETE FROM outbox_message WHERE message_id IN ('metrics-1', 'metrics-2')");
    }
  });

  it('has a Grafana dashboard that plots only metrics /metrics exposes', async () => {
    const dashboard = readFileSync(join(REPO_ROOT, 'docs/grafana-dashboard.json'), 'utf8');
    const plotted = new Set(dashboard.match(/\b(messaging|nodejs|process)_[a-z0-9_]+/g));
    const exposed = await (await get('/metrics')).text();
    expect(plotted.size).toBeGreaterThan(10);
    // Declared metrics: a labelled counter has no sample before its first increment.
    const declared = new Set([...exposed.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const missing = [...plotted].filter((name) => !declared.has(name.replace(/_(bucket|count|sum)$/, '')));
    expect(missing).toEqual([]);
  });

  it('is not ready while the oldest pending outbox row is older than the threshold', async () => {
    const db = app.get(DataSource);
    await db.query(
      `INSERT INTO outbox_message (message_id, exchange, routing_key, payload, created_at, next_attempt_at)
       VALUES ('stuck-1', 'orders', 'order.created', '{}', UTC_TIMESTAMP(3) - INTERVAL 2 MINUTE, UTC_TIMESTAMP(3))`,
    );
    try {
      const response = await get('/health/ready');
      const body = (await response.json()) as { error: { outbox: { message: string; pending: number } } };
      expect(response.status).toBe(503);
      expect(body.error.outbox).toMatchObject({ message: 'oldest pending outbox row too old', pending: 1 });
    } finally {
      await db.query("DELETE FROM outbox_message WHERE message_id = 'stuck-1'");
    }
    expect((await get('/health/ready')).status).toBe(200);
  });

  it('continues the caller traceparent in the request and in its log lines', async () => {
    const response = await get('/probe/trace', { traceparent: INCOMING_TRACEPARENT });
    const headers = (await response.json()) as { traceparent: string };
    const [version, traceId, spanId, flags] = headers.traceparent.split('-');
    expect({ version, traceId, flags }).toEqual({ version: '00', traceId: INCOMING_TRACE_ID, flags: '01' });
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe('00f067aa0ba902b7');
    const line = await waitFor(() => logLines.find((l) => l.msg === 'handling the probe request'), {
      what: 'the probe request log line',
    });
    expect(line).toMatchObject({ traceId: INCOMING_TRACE_ID, service: 'observability-test', level: 30 });
  });

  it('censors secret headers in the access line and in the lines logged while handling a request', async () => {
    const secrets = {
      authorization: 'Bearer bearer-secret-1',
      cookie: 'session=cookie-secret-2',
      'x-admin-token': 'admin-secret-3',
    };
    expect((await get('/probe/trace', { ...secrets, 'x-probe': 'visible-4' })).status).toBe(200);
    expect((await get('/probe/login', { 'x-probe': 'visible-5' })).headers.get('set-cookie')).toContain(
      'session-secret-7',
    );
    type Logged = LogLine & {
      req?: { headers?: Record<string, string> };
      res?: { headers?: Record<string, unknown> };
    };
    const access = (probe: string) =>
      waitFor(
        () =>
          (logLines as Logged[]).find(
            (l) => l.msg === 'request completed' && l.req?.headers?.['x-probe'] === probe,
          ),
        { what: `the access line of ${probe}` },
      );
    const traced = await access('visible-4');
    expect(traced.req!.headers).toMatchObject({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-admin-token': '[redacted]',
      'x-probe': 'visible-4',
    });
    expect((await access('visible-5')).res!.headers).toMatchObject({ 'set-cookie': '[redacted]' });
    const handling = (logLines as Logged[]).find(
      (l) => l.msg === 'handling the probe request' && l.req?.headers?.['x-probe'] === 'visible-4',
    );
    expect(handling?.req?.headers).toMatchObject({ authorization: '[redacted]', 'x-probe': 'visible-4' });
    const everything = JSON.stringify(logLines);
    for (const secret of ['bearer-secret-1', 'cookie-secret-2', 'admin-secret-3', 'session-secret-7'])
      expect(everything).not.toContain(secret);
  });

  it('starts a new trace for a request without traceparent', async () => {
    const response = await get('/probe/trace');
    const headers = (await response.json()) as { traceparent: string };
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(headers.traceparent).not.toContain(INCOMING_TRACE_ID);
  });

  it('logs a handled delivery with its trace id, message id, correlation id, exchange and queue, not its payload', async () => {
    const amqp = app.get(AmqpConnection);
    await amqp.publish(
      'probe',
      'probe.one',
      { secret: 'card-4242' },
      {
        messageId: 'msg-observed-1',
        correlationId: 'corr-1',
        headers: { traceparent: INCOMING_TRACEPARENT },
      },
    );
    const line = await waitFor(() => logLines.find((l) => l.msg === 'probe message handled'), {
      what: 'the subscriber log line',
    });
    expect(line).toMatchObject({
      traceId: INCOMING_TRACE_ID,
      messageId: 'msg-observed-1',
      correlationId: 'corr-1',
      exchange: 'probe',
      routingKey: 'probe.one',
      queue: QUEUE,
    });
    expect(JSON.stringify(logLines)).not.toContain('card-4242');
  });

  it('sends Helmet security headers', async () => {
    const response = await get('/health/live');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('refuses a body over 1 MB with 413 and accepts one under it', async () => {
    const post = (size: number) =>
      fetch(`${baseUrl}/probe/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: 'x'.repeat(size) }),
      });
    expect((await post(1_100_000)).status).toBe(413);
    expect((await post(500_000)).status).toBe(201);
  });

  it('answers an unexpected error with a bare 500, no message or stack', async () => {
    const response = await get('/probe/boom');
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(body)).toEqual({ statusCode: 500, message: 'Internal server error' });
    expect(body).not.toContain('secret detail');
    expect(body).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
