import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ConsumeResult = 'handled' | 'duplicate' | 'retried' | 'parked';

/**
 * The library's Prometheus metrics, on a registry of its own (several app instances may share one
 * process in tests). Names follow `messaging_<area>_<what>`.
 */
@Injectable()
export class MessagingMetrics {
  readonly registry = new Registry();

  readonly outboxPending = new Gauge({
    name: 'messaging_outbox_pending',
    help: 'Outbox rows not yet published',
    registers: [this.registry],
  });

  readonly outboxOldestPendingSeconds = new Gauge({
    name: 'messaging_outbox_oldest_pending_seconds',
    help: 'Age of the oldest unpublished outbox row',
    registers: [this.registry],
  });

  readonly publishConfirmSeconds = new Histogram({
    name: 'messaging_publish_confirm_seconds',
    help: 'Time from publish to broker confirm',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly relayPublished = new Counter({
    name: 'messaging_relay_published_total',
    help: 'Outbox rows published, confirmed and routed',
    labelNames: ['exchange'],
    registers: [this.registry],
  });

  readonly relayFailed = new Counter({
    name: 'messaging_relay_failed_total',
    help: 'Failed publish attempts by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  readonly consumed = new Counter({
    name: 'messaging_consumed_total',
    help: 'Deliveries settled by result',
    labelNames: ['queue', 'result'],
    registers: [this.registry],
  });

  readonly dedupeHits = new Counter({
    name: 'messaging_dedupe_hits_total',
    help: 'Redeliveries recognised as already handled',
    labelNames: ['queue'],
    registers: [this.registry],
  });

  readonly redisFailClosed = new Counter({
    name: 'messaging_redis_fail_closed_total',
    help: 'Deliveries not processed because Redis was unavailable',
    labelNames: ['queue'],
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'messaging_dead_letters_total',
    help: 'Messages parked in dead_letter',
    labelNames: ['origin', 'reason'],
    registers: [this.registry],
  });

  readonly alerts = new Counter({
    name: 'messaging_alerts_total',
    help: 'Alert emails by result (sent, suppressed into a digest, failed)',
    labelNames: ['result'],
    registers: [this.registry],
  });
}
