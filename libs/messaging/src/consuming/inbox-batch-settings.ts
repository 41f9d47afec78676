import type { ConsumingOptions } from './consuming.options';
import type { InboxBatchOptions } from './reliable-subscription.options';

/** How one subscription groups its inbox transactions (docs/adr/0207-inbox-group-commit.md). */
export interface InboxBatchSettings {
  /** How long the first run of a batch waits for others to join. */
  lingerMs: number;
  /** Most runs in one transaction; never more than the prefetch shared by the open batches. */
  maxSize: number;
  /** Batch transactions of the subscription open at once (each on its own pooled connection). */
  concurrency: number;
}

/** Undefined: one transaction per message (group commit off, or a batch of at most one). */
export function resolveInboxBatch(
  option: boolean | InboxBatchOptions | undefined,
  defaults: Pick<ConsumingOptions, 'inboxBatchLingerMs' | 'inboxBatchMaxSize'>,
  prefetch: number,
): InboxBatchSettings | undefined {
  if (option === false) return undefined;
  const chosen = typeof option === 'object' ? option : {};
  const concurrency = Math.max(1, chosen.concurrency ?? DEFAULT_CONCURRENCY);
  // Acks wait for the commit, so one batch holding the whole prefetch window would leave the next
  // batch nothing to gather while it commits: the window is shared between the open batches.
  const maxSize = Math.min(chosen.maxSize ?? defaults.inboxBatchMaxSize, Math.ceil(prefetch / concurrency));
  if (maxSize <= 1) return undefined;
  return { lingerMs: Math.max(0, chosen.lingerMs ?? defaults.inboxBatchLingerMs), maxSize, concurrency };
}

/** Two: one batch commits (waits on the fsync) while the next runs its handlers. */
export const DEFAULT_CONCURRENCY = 2;
