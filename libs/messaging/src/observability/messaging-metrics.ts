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

  readonly relayPublished = this.counter(
    'messaging_relay_published_total',
    'Outbox rows published, confirmed and routed',
    ['exchange'],
  );

  readonly relayFailed = this.counter('messaging_relay_failed_total', 'Failed publish attempts by reason', [
    'reason',
  ]);

  readonly consumed = this.counter('messaging_consumed_total', 'Deliveries settled by result', [
    'queue',
    'result',
  ]);

  readonly dedupeHits = this.counter(
    'messaging_dedupe_hits_total',
    'Redeliveries recognised as already handled',
    ['queue'],
  );

  readonly redisFailClosed = this.counter(
    'messaging_redis_fail_closed_total',
    'Deliveries not processed because Redis was unavailable',
    ['queue'],
  );

  readonly deadLetters = this.counter('messaging_dead_letters_total', 'Messages parked in dead_letter', [
    'origin',
    'reason',
  ]);

  readonly alerts = this.counter(
    'messaging_alerts_total',
    'Alert emails by result (sent, suppressed into a digest, failed)',
    ['result'],
  );

  /** A labelled counter on this registry. */
  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
