import type { LoadOptions } from './load-driver';

export type FaultKind =
  /** SIGKILL of the broker's OS process, then `rabbitmq-server -detached`. */
  | 'rabbitmq-kill'
  /** The same, with the run's Redis restarted (emptied) while the broker is down. */
  | 'rabbitmq-kill-redis-loss'
  /** `rabbitmqctl stop_app` / `start_app`. */
  | 'rabbitmq-stop-app'
  | 'producer-kill'
  | 'consumer-kill'
  /** SIGKILL of a consumer, the run's Redis restarted (emptied) before it comes back. */
  | 'consumer-kill-redis-loss'
  | 'redis-restart'
  | 'mariadb-restart'
  /** The SMTP sink is closed for `downMs`; alert emails must wait, consuming must not. */
  | 'smtp-down'
  /** Network (chaos/net): a consumer's link to RabbitMQ blackholed for `downMs`; heartbeats must notice. */
  | 'consumer-rabbitmq-blackhole'
  /** A producer's (relay's) link to RabbitMQ blackholed for `downMs` while confirms are outstanding. */
  | 'relay-rabbitmq-blackhole'
  /** A producer's MariaDB connection reset right after it sent the relay's claim (3 times). */
  | 'relay-mariadb-cut-claim'
  /** The same, right after the relay's sent-mark UPDATE. */
  | 'relay-mariadb-cut-mark'
  /** Every app's link to Redis blackholed for `downMs` under load. */
  | 'redis-blackhole'
  /** 200 ms of added round-trip latency between every app and MariaDB for `downMs`. */
  | 'mariadb-latency';

export interface ScheduledFault {
  atSec: number;
  kind: FaultKind;
  /** Which producer/consumer instance (0-based) a kill hits. */
  instance?: number;
  downMs?: number;
}

export interface ChaosScenario {
  name: string;
  dedupe: 'inbox' | 'redis';
  producers: number;
  consumers: number;
  load: LoadOptions;
  faults: ScheduledFault[];
  /** How long the system may take to settle after the load ended. */
  quiesceTimeoutMs: number;
}

const load = (messages: number, ratePerSecond: number): LoadOptions => ({
  messages,
  ratePerSecond,
  poisonEvery: 250,
  flakyEvery: 97,
  maxInFlight: 300,
});

/**
 * ~20,000 events at 50/s with every process and service fault and the network faults (chaos/README.md)
 * on the schedule (shared services: ≥ 25 s apart).
 */
export const FULL_SCENARIO: ChaosScenario = {
  name: 'full',
  dedupe: 'inbox',
  producers: 2,
  consumers: 2,
  load: load(20_000, 50),
  quiesceTimeoutMs: 240_000,
  faults: [
    { atSec: 15, kind: 'consumer-kill', instance: 0 },
    { atSec: 35, kind: 'rabbitmq-kill' },
    { atSec: 65, kind: 'producer-kill', instance: 0 },
    { atSec: 90, kind: 'redis-restart' },
    { atSec: 115, kind: 'consumer-kill', instance: 1 },
    { atSec: 140, kind: 'rabbitmq-stop-app' },
    { atSec: 170, kind: 'mariadb-restart' },
    { atSec: 200, kind: 'smtp-down', downMs: 60_000 },
    { atSec: 230, kind: 'rabbitmq-kill-redis-loss' },
    { atSec: 260, kind: 'producer-kill', instance: 1 },
    { atSec: 290, kind: 'consumer-kill', instance: 0 },
    { atSec: 320, kind: 'rabbitmq-kill' },
    // Heartbeats every 5 s (messaging.module.ts): 25 s of silence is several missed beats on both sides.
    { atSec: 345, kind: 'consumer-rabbitmq-blackhole', instance: 1, downMs: 25_000 },
    { atSec: 375, kind: 'relay-mariadb-cut-claim', instance: 0 },
    { atSec: 380, kind: 'relay-mariadb-cut-mark', instance: 1 },
    { atSec: 390, kind: 'relay-rabbitmq-blackhole', instance: 0, downMs: 20_000 },
    { atSec: 415, kind: 'redis-blackhole', downMs: 15_000 },
    { atSec: 435, kind: 'mariadb-latency', downMs: 60_000 },
  ],
};

/**
 * The same apps with the inbox off (Redis marks only): Redis loses its data while deliveries and
 * publishes are unsettled, so redeliveries run the handler again. Reported, not failed: this is the
 * documented reason the inbox exists.
 */
export const REDIS_ONLY_SCENARIO: ChaosScenario = {
  name: 'redis-only-dedupe',
  dedupe: 'redis',
  producers: 2,
  consumers: 2,
  load: load(4_500, 50),
  quiesceTimeoutMs: 180_000,
  faults: [
    { atSec: 10, kind: 'consumer-kill-redis-loss', instance: 0 },
    { atSec: 30, kind: 'rabbitmq-kill-redis-loss' },
    { atSec: 55, kind: 'producer-kill', instance: 0 },
    { atSec: 58, kind: 'redis-restart' },
  ],
};

/**
 * `--quick` and the fault spec in `npm test`: one broker restart, relay claims cut from MariaDB, one
 * consumer kill and a consumer blackholed from RabbitMQ, 2,000 events.
 */
export const QUICK_SCENARIO: ChaosScenario = {
  name: 'quick',
  dedupe: 'inbox',
  producers: 2,
  consumers: 2,
  load: load(2_000, 40),
  quiesceTimeoutMs: 90_000,
  faults: [
    { atSec: 12, kind: 'rabbitmq-kill' },
    { atSec: 26, kind: 'relay-mariadb-cut-claim', instance: 0 },
    { atSec: 30, kind: 'consumer-kill', instance: 0 },
    { atSec: 36, kind: 'consumer-rabbitmq-blackhole', instance: 1, downMs: 20_000 },
  ],
};
