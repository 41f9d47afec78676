import { join } from 'node:path';
import { topologyNames } from '@app/messaging';
import { startChild, waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { createEffectTable, effectCount, query } from './effect-table';
import { RawPublisher } from './raw-publisher';

jest.setTimeout(120_000);

const FIXTURE = join(__dirname, 'fixtures', 'consumer-app.fixture.ts');
const PREFIX = 'kill';
const TOTAL = 400;

const ns = useTestNamespace('consumer_kill');

describe('a consumer process killed mid-stream (inbox mode)', () => {
  let publisher: RawPublisher;

  beforeAll(async () => {
    await createEffectTable(ns.database.url);
    publisher = await RawPublisher.open(ns.vhost.url);
  });

  afterAll(async () => {
    await publisher?.close();
  });

  it('handles every message after a restart, none twice', async () => {
    const env = ns.env({ TOPOLOGY_PREFIX: PREFIX, SUBSCRIPTION: 'inbox', HANDLER_DELAY_MS: '5' });
    const first = startChild(FIXTURE, { ...env, INSTANCE: 'first' });
    let second: ReturnType<typeof startChild> | undefined;
    try {
      await first.waitForOutput(/consuming as first/, 60_000);
      const exchange = topologyNames(PREFIX).eventsExchange;
      await publisher.publishAll(
        Array.from({ length: TOTAL }, (_, i) => ({
          exchange,
          routingKey: 'work.created',
          body: { seq: i },
          messageId: `m-${i}`,
        })),
      );
      await waitFor(async () => (await effectCount(ns.database.url)) >= TOTAL / 4, {
        what: 'a quarter handled',
      });
      await first.kill('SIGKILL');
      second = startChild(FIXTURE, { ...env, INSTANCE: 'second' });
      await second.waitForOutput(/consuming as second/, 60_000);
      await waitFor(async () => (await effectCount(ns.database.url)) >= TOTAL, {
        what: `all ${TOTAL} messages handled`,
        timeoutMs: 60_000,
      });
      const rows = await query<{ message_id: string; n: number }>(
        ns.database.url,
        'SELECT message_id, COUNT(*) AS n FROM test_effect GROUP BY message_id HAVING n > 1',
      );
      expect(rows).toEqual([]);
      expect(await effectCount(ns.database.url)).toBe(TOTAL);
      const instances = await query<{ instance: string }>(
        ns.database.url,
        'SELECT DISTINCT instance FROM test_effect ORDER BY instance',
      );
      expect(instances.map((r) => r.instance)).toEqual(['first', 'second']);
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
    }
  });
});
