import { managementApi } from './isolated-vhost';
import { waitFor } from './wait-for';

/**
 * RabbitMQ's management API refreshes queue counts once per statistics interval (5 s by default), so one
 * idle sample can be stale: quiet means idle in every sample over a window longer than that interval.
 */
export const STATISTICS_INTERVAL_MS = 5000;

export interface QuiescenceOptions {
  what: string;
  /** How long the idle state must hold without a break. @default just over one statistics interval */
  steadyMs?: number;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Resolves once `idle` returned true in every poll for `steadyMs`: the point after which "nothing more
 * arrived" means something. Fails like `waitFor` when that never happens.
 */
export async function waitForSteady(idle: () => Promise<boolean>, options: QuiescenceOptions): Promise<void> {
  const steadyMs = options.steadyMs ?? STATISTICS_INTERVAL_MS + 500;
  let idleSince: number | null = null;
  await waitFor(
    async () => {
      const now = Date.now();
      idleSince = (await idle()) ? (idleSince ?? now) : null;
      return idleSince !== null && now - idleSince >= steadyMs;
    },
    { what: options.what, timeoutMs: options.timeoutMs ?? 60_000, intervalMs: options.intervalMs ?? 250 },
  );
}

interface QueueCounts {
  messages_ready?: number;
  messages_unacknowledged?: number;
}

/** True when each queue of the vhost has nothing ready and nothing unacknowledged (management API). */
export async function queuesIdle(vhost: string, queues: string[]): Promise<boolean> {
  const counts = await Promise.all(
    queues.map(
      (queue) =>
        managementApi(
          'GET',
          `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`,
        ) as Promise<QueueCounts>,
    ),
  );
  return counts.every((q) => q.messages_ready === 0 && q.messages_unacknowledged === 0);
}

/**
 * Waits until the queues stayed empty (ready and unacked 0) and `idle` (outbox drained, consumers done)
 * held for a whole statistics interval.
 */
export async function waitForQuiescence(
  vhost: string,
  queues: string[],
  options: QuiescenceOptions & { idle?: () => Promise<boolean> },
): Promise<void> {
  await waitForSteady(
    async () => (await queuesIdle(vhost, queues)) && (options.idle ? await options.idle() : true),
    options,
  );
}
