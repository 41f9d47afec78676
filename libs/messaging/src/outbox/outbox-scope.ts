import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';
import type { OutboxEvent } from './outbox-event';
import type { ScheduleOptions } from './outbox-scheduler';

/** What `outbox.transaction(...)` makes visible to code running inside it (the outbox ClientProxy). */
export interface OutboxScope {
  manager: EntityManager;
  add(manager: EntityManager, event: OutboxEvent, schedule?: ScheduleOptions): Promise<{ messageId: string }>;
}

const scopes = new AsyncLocalStorage<OutboxScope>();

export function runInOutboxScope<T>(scope: OutboxScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

/** The innermost `outbox.transaction(...)` the caller runs in, if any. */
export function currentOutboxScope(): OutboxScope | undefined {
  return scopes.getStore();
}
