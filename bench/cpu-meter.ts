import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The processes whose CPU a message costs; `pid` 0 = not found on this machine. */
export interface MeteredProcess {
  role: string;
  pid: number;
}

/** CPU µs per message of each process over one measured interval. */
export type CpuCost = Record<string, number>;

/** The service process listening on a local TCP port (MariaDB 3306, RabbitMQ 5672, Redis 6379). */
export function pidListeningOn(port: number): number {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    return Number(/pid=(\d+)/.exec(out)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The shared services of every scenario, found by the ports of the namespace's URLs. */
export function serviceProcesses(urls: { mysql: string; amqp: string; redis?: string }): MeteredProcess[] {
  const port = (url: string, fallback: number) => Number(new URL(url).port || fallback);
  const services = [
    { role: 'MariaDB', pid: pidListeningOn(port(urls.mysql, 3306)) },
    { role: 'RabbitMQ', pid: pidListeningOn(port(urls.amqp, 5672)) },
  ];
  if (urls.redis) services.push({ role: 'Redis', pid: pidListeningOn(port(urls.redis, 6379)) });
  return services;
}

/** user + system CPU of a process so far, in µs (all its threads: beam's schedulers, MariaDB's). */
export function cpuMicros(pid: number): number {
  if (pid === 0) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
  } catch {
    return NaN;
  }
}

/**
 * CPU of each process between `start()` and `stop(messages)`, per message. The services are shared
 * with the other suites running on this machine: `start()` first samples each service's background
 * CPU rate while the bench is idle, and `stop()` subtracts that rate over the measured interval. The
 * publisher processes (the bench's own or a relay child) are not corrected: nothing else runs in them.
 */
export class CpuMeter {
  private before: number[] = [];
  private backgroundUsPerMs: number[] = [];
  private startedAt = 0;

  constructor(private readonly processes: MeteredProcess[]) {}

  /** Samples the services' background CPU rate for `ms` while the bench is idle; call before `begin`. */
  async sampleBackground(ms = 500): Promise<this> {
    const idle = this.processes.map((p) => cpuMicros(p.pid));
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.backgroundUsPerMs = this.processes.map((p, i) =>
      SUBJECT_ROLES.has(p.role) ? 0 : Math.max(0, (cpuMicros(p.pid) - idle[i]) / ms),
    );
    return this;
  }

  begin(): this {
    if (this.backgroundUsPerMs.length === 0) this.backgroundUsPerMs = this.processes.map(() => 0);
    this.before = this.processes.map((p) => cpuMicros(p.pid));
    this.startedAt = performance.now();
    return this;
  }

  stop(messages: number): CpuCost {
    const elapsedMs = performance.now() - this.startedAt;
    const cost: CpuCost = {};
    this.processes.forEach((p, i) => {
      const used = cpuMicros(p.pid) - this.before[i] - this.backgroundUsPerMs[i] * elapsedMs;
      cost[p.role] = (cost[p.role] ?? 0) + Math.max(0, used) / messages;
    });
    cost.total = Object.values(cost).reduce((sum, us) => sum + (Number.isNaN(us) ? 0 : us), 0);
    return cost;
  }
}

/** Processes of the path itself; everything else is a shared service. */
const SUBJECT_ROLES = new Set(['publisher', 'consumer', 'producer']);

/** Median per key over repetitions: per role for CPU costs, per counter for other per-run figures. */
export function medianCost(samples: CpuCost[]): CpuCost {
  const roles = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  const median = (values: number[]) => {
    const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    if (sorted.length === 0) return NaN;
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return Object.fromEntries(roles.map((role) => [role, median(samples.map((s) => s[role]))]));
}

/** Samples a process's resident set size (Linux /proc) until stopped. */
export class RssSampler {
  private peakKb = 0;
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 250);
    this.sample();
  }

  stop(): { peakMb: number; lastMb: number; firstMb: number } {
    clearInterval(this.timer);
    this.sample();
    const mb = (kb: number) => kb / 1024;
    return {
      peakMb: mb(this.peakKb),
      firstMb: mb(this.samples[0] ?? 0),
      lastMb: mb(this.samples[this.samples.length - 1] ?? 0),
    };
  }

  private sample(): void {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (!match) return;
      const kb = Number(match[1]);
      this.samples.push(kb);
      this.peakKb = Math.max(this.peakKb, kb);
    } catch {
      // The process ended; the samples so far stand.
    }
  }
}
