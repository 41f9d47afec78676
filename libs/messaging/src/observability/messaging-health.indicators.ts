import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { InjectOptions, MESSAGING_REDIS } from '../messaging.constants';
import type { MonitoringOptions } from './monitoring.options';
import { BrokerConnectionMonitor } from './broker-connection.monitor';
import { OutboxBacklog } from './outbox-backlog';

/** Readiness checks of the messaging dependencies; each reports `up`/`down` as a value, never throws. */
@Injectable()
export class MessagingHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly broker: BrokerConnectionMonitor,
    private readonly backlog: OutboxBacklog,
    @Inject(MESSAGING_REDIS) private readonly redis: Redis,
    @InjectOptions('monitoring') private readonly options: MonitoringOptions,
  ) {}

  rabbitmq(key = 'rabbitmq'): HealthIndicatorResult {
    const session = this.indicators.check(key);
    const downMs = this.broker.unreachableForMs();
    const thresholdMs = this.options.brokerUnreachableMs;
    if (downMs > thresholdMs) return session.down({ message: 'broker unreachable', unreachableMs: downMs });
    return session.up(downMs > 0 ? { reconnecting: true, unreachableMs: downMs } : undefined);
  }

  async redisPing(key = 'redis'): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    // ioredis queues commands while reconnecting; a client that is not ready is down now.
    if (this.redis.status !== 'ready') return session.down({ message: `redis ${this.redis.status}` });
    try {
      await withTimeout(this.redis.ping(), this.options.probeTimeoutMs);
      return session.up();
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }

  async outbox(key = 'outbox'): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const maxAgeMs = this.options.outboxStuckAfterMs;
    try {
      const { pending, oldestAgeMs } = await withTimeout(this.backlog.measure(), this.options.probeTimeoutMs);
      const details = { pending, oldestAgeMs: Math.round(oldestAgeMs), maxAgeMs };
      return oldestAgeMs > maxAgeMs
        ? session.down({ message: 'oldest pending outbox row too old', ...details })
        : session.up(details);
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}

class ProbeTimeoutError extends Error {
  override readonly name = 'ProbeTimeoutError';
  readonly reason = 'probe-timeout';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeoutError(timeoutMs)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
