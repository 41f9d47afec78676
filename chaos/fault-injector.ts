import { sleep } from '../libs/messaging/test/support';
import type { ChaosFleet, FleetMember } from './chaos-fleet';
import type { FaultKind, ScheduledFault } from './chaos-scenarios';
import {
  blackhole,
  blackholeAll,
  CLAIM_SQL,
  cutAfterStatement,
  latencyAll,
  MARK_SQL,
} from './net/network-faults';
import type { ServiceControl } from './service-control';

export interface FaultRecord {
  kind: FaultKind;
  target?: string;
  /** Seconds since the load started. */
  startedAtSec: number;
  endedAtSec: number;
  /** Wall-clock start, ISO 8601. */
  startedAt: string;
  /** How long the service or instance was unavailable. */
  outageMs: number;
  /** What a network fault observed (connections silenced, closed by the app itself, cuts). */
  detail?: string;
  error?: string;
}

/** A killed app instance stays down this long before it is started again. */
const APP_DOWN_MS = 3000;
const REDIS_DOWN_MS = 3000;

/**
 * Runs the schedule one fault after another (a fault starts at its time or when the previous one
 * recovered, whichever is later), except the SMTP outage, which overlaps the faults that follow it.
 */
export class FaultInjector {
  readonly records: FaultRecord[] = [];
  private readonly background: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly fleet: ChaosFleet,
    private readonly services: ServiceControl,
    private readonly log: (line: string) => void,
    private readonly startedAt: number,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async run(schedule: ScheduledFault[]): Promise<void> {
    for (const fault of schedule) {
      const wait = this.startedAt + fault.atSec * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.stopped) break;
      if (fault.kind === 'smtp-down') this.background.push(this.inject(fault));
      else await this.inject(fault);
    }
    await Promise.all(this.background);
  }

  private async inject(fault: ScheduledFault): Promise<void> {
    const started = Date.now();
    const record: FaultRecord = {
      kind: fault.kind,
      target: this.targetOf(fault)?.name,
      startedAtSec: this.secondsSinceStart(started),
      endedAtSec: 0,
      startedAt: new Date(started).toISOString(),
      outageMs: 0,
    };
    this.log(`fault ${fault.kind}${record.target ? ` (${record.target})` : ''}: injecting`);
    try {
      record.detail = (await this.execute(fault)) ?? undefined;
    } catch (error) {
      record.error = (error as Error).message;
      this.log(`fault ${fault.kind}: FAILED ${record.error}`);
    }
    record.endedAtSec = this.secondsSinceStart(Date.now());
    record.outageMs = Date.now() - started;
    this.records.push(record);
    this.log(`fault ${fault.kind}: recovered after ${(record.outageMs / 1000).toFixed(1)} s`);
  }

  private async execute(fault: ScheduledFault): Promise<string | void> {
    const { fleet, services } = this;
    switch (fault.kind) {
      case 'rabbitmq-kill':
        await services.killRabbitmq();
        await services.startRabbitmq();
        return;
      case 'rabbitmq-kill-redis-loss':
        await services.killRabbitmq();
        await this.restartRedis();
        await services.startRabbitmq();
        return;
      case 'rabbitmq-stop-app':
        await services.stopRabbitmqApp();
        await sleep(3000);
        await services.startRabbitmqApp();
        return;
      case 'producer-kill':
      case 'consumer-kill':
        return this.killAndRestart(this.targetOf(fault)!);
      case 'consumer-kill-redis-loss':
        return this.killAndRestart(this.targetOf(fault)!, () => this.restartRedis());
      case 'redis-restart':
        return this.restartRedis();
      case 'mariadb-restart':
        await services.stopMariadb();
        await services.startMariadb();
        return;
      case 'smtp-down':
        await fleet.smtp.stop();
        await sleep(fault.downMs ?? 30_000);
        await fleet.smtp.start();
        return;
      case 'consumer-rabbitmq-blackhole':
      case 'relay-rabbitmq-blackhole':
        return noticedByApp(await blackhole(this.targetOf(fault)!, 'rabbitmq', fault.downMs ?? 20_000));
      case 'relay-mariadb-cut-claim':
        return cutAfterStatement(this.targetOf(fault)!, CLAIM_SQL, 3);
      case 'relay-mariadb-cut-mark':
        return cutAfterStatement(this.targetOf(fault)!, MARK_SQL, 3);
      case 'redis-blackhole':
        return blackholeAll([...fleet.producers, ...fleet.consumers], 'redis', fault.downMs ?? 15_000);
      case 'mariadb-latency':
        return latencyAll([...fleet.producers, ...fleet.consumers], 'mariadb', 200, fault.downMs ?? 60_000);
    }
  }

  private async killAndRestart(member: FleetMember, whileDown?: () => Promise<void>): Promise<void> {
    await member.sigkill();
    await sleep(APP_DOWN_MS);
    await whileDown?.();
    await member.start();
  }

  /** Redis keeps nothing on disk: a restart is a data loss. */
  private async restartRedis(): Promise<void> {
    await this.fleet.redis.stop();
    await sleep(REDIS_DOWN_MS);
    await this.fleet.redis.start();
  }

  private targetOf(fault: ScheduledFault): FleetMember | undefined {
    if (fault.instance === undefined) return undefined;
    const pool = /^(producer|relay)-/.test(fault.kind) ? this.fleet.producers : this.fleet.consumers;
    return pool[fault.instance % pool.length];
  }

  private secondsSinceStart(at: number): number {
    return Math.round((at - this.startedAt) / 100) / 10;
  }

  /** Waits for a background fault (the SMTP outage) still running. */
  async settled(): Promise<void> {
    await Promise.all(this.background);
  }
}

/** A blackhole the app sat through without closing a connection means its heartbeat never fired. */
function noticedByApp(detail: string): string {
  if (/ 0 closed by the app/.test(detail)) throw new Error(`the app did not notice the blackhole: ${detail}`);
  return detail;
}
