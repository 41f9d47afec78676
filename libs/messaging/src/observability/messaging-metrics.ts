import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ConsumeResult = 'handled' | 'duplicate' | 'retried' | 'parked';

/**
 * The labelled counters, one row each: name, help, label names. Names and labels are what dashboards
 * and alert rules read (docs/operations.md lists the same table): change them only together.
 */
const COUNTERS = {
  relayPublished: [
    'messaging_relay_published_total',
    'Outbox rows published, confirmed and routed',
    ['exchange'],
  ],
  relayFailed: ['messaging_relay_failed_total', 'Failed publish attempts by reason', ['reason']],
  consumed: ['messaging_consumed_total', 'Deliveries settled by result', ['queue', 'result']],
  dedupeHits: ['messaging_dedupe_hits_total', 'Redeliveries recognised as already handled', ['queue']],
  redisFailClosed: [
    'messaging_redis_fail_closed_total',
    'Deliveries not processed because Redis was unavailable',
    ['queue'],
  ],
  deadLetters: ['messaging_dead_letters_total', 'Messages parked in dead_letter', ['origin', 'reason']],
  alerts: [
    'messaging_alerts_total',
    'Alert emails by result (sent, suppressed into a digest, failed)',
    ['result'],
  ],
} as const satisfies Record<string, readonly [string, string, readonly string[]]>;

type CounterKey = keyof typeof COUNTERS;
type LabelOf<K extends CounterKey> = (typeof COUNTERS)[K][2][number];

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

  readonly relayPublished = this.counter('relayPublished');
  readonly relayFailed = this.counter('relayFailed');
  readonly consumed = this.counter('consumed');
  readonly dedupeHits = this.counter('dedupeHits');
  readonly redisFailClosed = this.counter('redisFailClosed');
  readonly deadLetters = this.counter('deadLetters');
  readonly alerts = this.counter('alerts');

  /** One of COUNTERS, on this registry. */
  private counter<K extends CounterKey>(key: K): Counter<LabelOf<K>> {
    const [name, help, labelNames] = COUNTERS[key];
    return new Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }
}
