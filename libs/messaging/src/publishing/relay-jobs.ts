import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AlertBus } from '../alerting/alert-bus';
import { InjectOptions } from '../messaging.constants';
import type { MonitoringOptions } from '../observability/monitoring.options';
import type { RelayOptions, RelayPartitionOptions, RetentionOptions } from '../outbox/outbox.options';
import { MessagingMetrics } from '../observability/messaging-metrics';
import { OutboxClaims } from '../outbox/outbox-claims';
import { OutboxRelay } from './outbox-relay.service';
import { PartitionOwnership } from './partition-ownership';

/** Names of the relay's jobs in the SchedulerRegistry. */
export const RELAY_JOBS = {
  resend: 'messaging.outbox.resend',
  partitions: 'messaging.outbox.partitions',
  purge: 'messaging.outbox.purge',
  stuck: 'messaging.outbox.stuck',
} as const;

/**
 * The relay's scheduled jobs: resend (the fallback poll: due retries and rows whose lease expired, e.g. a
 * relay killed mid-batch), partition lease renewal, retention purge and the stuck-outbox check. A tick
 * never overlaps the previous one, and a failing job raises a `job-failed` alert, not only a log line.
 */
@Injectable()
export class RelayJobs implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RelayJobs.name);
  private readonly names: string[] = [];
  private lastStuckAlert = 0;

  constructor(
    @InjectOptions('relay') private readonly relayOptions: RelayOptions,
    @InjectOptions('relayPartitions') private readonly partitions: RelayPartitionOptions,
    @InjectOptions('retention') private readonly retention: RetentionOptions,
    @InjectOptions('monitoring') private readonly monitoring: MonitoringOptions,
    private readonly scheduler: SchedulerRegistry,
    private readonly relay: OutboxRelay,
    private readonly claims: OutboxClaims,
    private readonly ownership: PartitionOwnership,
    private readonly alerts: AlertBus,
    private readonly metrics: MessagingMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.relayOptions.enabled) return;
    this.schedule(RELAY_JOBS.partitions, Math.max(100, Math.floor(this.partitions.leaseMs / 3)), () =>
      this.renewPartitions(),
    );
    this.schedule(RELAY_JOBS.resend, this.relayOptions.pollIntervalMs, () => this.relay.poll());
    this.schedule(RELAY_JOBS.purge, this.retention.purgeIntervalMs, () => this.purge());
    this.schedule(RELAY_JOBS.stuck, this.monitoring.outboxCheckIntervalMs, () => this.checkStuck());
    void this.run(RELAY_JOBS.partitions, () => this.renewPartitions());
  }

  async onModuleDestroy(): Promise<void> {
    for (const name of this.names.splice(0)) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    await this.ownership
      .releaseAll(this.relay.owner)
      .catch((error: Error) =>
        this.logger.warn({ msg: 'could not release partitions', error: error.message }),
      );
  }

  private schedule(name: string, everyMs: number, job: () => Promise<unknown>): void {
    const timer = setInterval(() => void this.run(name, job), everyMs);
    this.scheduler.addInterval(name, timer);
    this.names.push(name);
  }

  private readonly runningJobs = new Set<string>();

  private async run(name: string, job: () => Promise<unknown>): Promise<void> {
    // Like waitForCompletion: a slow tick is skipped, never run twice at once.
    if (this.runningJobs.has(name)) return;
    this.runningJobs.add(name);
    try {
      await job();
    } catch (error) {
      this.alerts.raise({
        kind: 'job-failed',
        origin: 'publish',
        reason: name,
        source: 'outbox',
        detail: (error as Error).message,
        occurredAt: new Date(),
      });
    } finally {
      this.runningJobs.delete(name);
    }
  }

  private async renewPartitions(): Promise<void> {
    if (!this.relay.active) return;
    const before = this.ownedCount;
    const { count, leaseMs } = this.partitions;
    const owned = await this.ownership.renew(this.relay.owner, count, leaseMs);
    this.ownedCount = owned.length;
    if (owned.length > before) this.relay.wakeUp();
  }

  private ownedCount = 0;

  private async purge(): Promise<void> {
    const { sentRowsMs, purgeBatchSize } = this.retention;
    // Small batches keep each DELETE's locks short; a big backlog is worked off over several ticks.
    for (let i = 0; i < 10; i++) {
      const deleted = await this.claims.purgeSent(sentRowsMs, purgeBatchSize);
      if (deleted < purgeBatchSize) return;
    }
  }

  private async checkStuck(): Promise<void> {
    const stuckAfterMs = this.monitoring.outboxStuckAfterMs;
    const { pending, oldestAgeMs } = await this.claims.pendingStats();
    this.metrics.outboxPending.set(pending);
    this.metrics.outboxOldestPendingSeconds.set(oldestAgeMs / 1000);
    if (oldestAgeMs < stuckAfterMs) return;
    const now = Date.now();
    // Once when it gets stuck, then again every stuckAfterMs while it stays stuck.
    if (now - this.lastStuckAlert < stuckAfterMs) return;
    this.lastStuckAlert = now;
    this.alerts.raise({
      kind: 'outbox-stuck',
      origin: 'publish',
      reason: 'outbox-stuck',
      source: 'outbox',
      detail: `${pending} unsent row(s); the oldest is ${Math.round(oldestAgeMs / 1000)} s old`,
      occurredAt: new Date(),
    });
  }
}
