import type { MessagingModuleOptions } from '@app/messaging/testing';
import { createTestNamespace, TestNamespace } from './test-namespace';

/*
 * Not re-exported from ./index: the chaos harness and the benchmarks import that index outside Jest,
 * where there are no beforeAll/afterAll hooks to register.
 */

/**
 * A test file's namespace, created in `beforeAll` and cleaned in `afterAll`; the returned handle
 * forwards to it once created.
 *
 * Call it at the top level of the file, not inside `describe`: Jest runs the `afterAll` hooks of one
 * block in the order they were declared, so only from the enclosing block does the clean-up come after
 * the describe's own tear-down (apps closed before their database and vhost go away).
 */
export function useTestNamespace(
  label: string,
  extra: Pick<MessagingModuleOptions, 'entities' | 'migrations'> = {},
): TestNamespace {
  let created: TestNamespace | undefined;
  const current = (): TestNamespace => {
    if (!created) throw new Error(`test namespace ${label} used before its beforeAll ran`);
    return created;
  };
  beforeAll(async () => {
    created = await createTestNamespace(label, extra);
  });
  afterAll(async () => {
    await created?.cleanup();
  });
  return {
    get database() {
      return current().database;
    },
    get vhost() {
      return current().vhost;
    },
    get redis() {
      return current().redis;
    },
    options: (overrides) => current().options(overrides),
    env: (more) => current().env(more),
    cleanup: () => current().cleanup(),
  };
}
