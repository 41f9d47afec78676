import { join } from 'node:path';
import { createEffectTable } from '../consuming/effect-table';
import {
  effectTotal,
  expectEveryKeyInOrder,
  latestInstance,
  OrderedWriter,
  startRelay,
  waitForQuiet,
} from '../ordering/ordering-test-kit';
import { ChildApp, createTestNamespace, startChild, TestNamespace, waitFor } from '../support';
import { waitForQuiescence } from '../support/quiescence';
import { topologyNames } from '@app/messaging';

const FIXTURE = join(__dirname, 'fixtures', 'transport-consumer.fixture.ts');
const KEYS = 100;
const PER_KEY = 20;
const TOTAL = KEYS * PER_KEY;

/**
 * `@EventPattern` consumers of an ordered stream as child processes: outbox → relay → hash exchange →
 * partition queues (single active consumer) → the reliable transport.
 */
describe('reliable transport across a SIGKILL and a graceful shutdown (per-key order, nothing lost or doubled)', () => {
  let ns: TestNamespace;
  const children = new Map<string, ChildApp>();

  const startConsumer = async (prefix: string, name: string, extra: Record<string, string> = {}) => {
    const child = startChild(FIXTURE, {
      ...ns.env({ TOPOLOGY_PREFIX: prefix, HANDLER_DELAY_MS: '2', ...extra }),
      INSTANCE: name,
    });
    children.set(name, child);
    await child.waitForOutput(new RegExp(`consuming as ${name}`), 60_000);
    return child;
  };
  const output = () =>
    [...children.entries()].map(([name, child]) => `--- ${name}\n${child.output().slice(-1500)}`).join('\n');
  /** Partition queues empty and unacked 0 for a statistics interval, the outbox drained: nothing can still arrive. */
  const settle = async (prefix: string) => {
    await waitForQuiet(ns, prefix, TOTAL);
    const names = topologyNames(prefix);
    const partitions = [0, 1, 2, 3].map((i) => names.partitionQueue('orders', 'ordered', i));
    await waitForQuiescence(ns.vhost.name, partitions, { what: 'partition queues quiet' });
  };

  beforeEach(async () => {
    ns = await createTestNamespace('transport_kill');
    await createEffectTable(ns.database.url);
  });

  afterEach(async () => {
    await Promise.all([...children.values()].map((child) => child.kill('SIGKILL')));
    children.clear();
    await ns?.cleanup();
  });

  it('handles every key in order, once each, across a SIGKILLed and restarted consumer', async () => {
    const prefix = 'tkill';
    await startConsumer(prefix, 'first');
    await startConsumer(prefix, 'second');
    const writer = await OrderedWriter.start(ns, prefix);
    const relay = await startRelay(ns, 'relay-a');
    children.set('relay', relay);
    try {
      const writing = writer.writeRounds(KEYS, PER_KEY);
      await waitFor(async () => (await effectTotal(ns)) >= TOTAL / 4, {
        what: 'a quarter of the messages handled',
        timeoutMs: 120_000,
      });
      const active = await latestInstance(ns);
      await children.get(active)!.kill('SIGKILL');
      await startConsumer(prefix, `${active}-restarted`);
      await writing;
      await settle(prefix);
      const report = await expectEveryKeyInOrder(ns, {
        label: `transport, ${active} killed`,
        keys: KEYS,
        perKey: PER_KEY,
        childOutput: output(),
      });
      expect(report.byInstance[active]).toBeGreaterThan(0);
      expect(report.byInstance[active]).toBeLessThan(TOTAL);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output()}`, { cause: error });
    } finally {
      await writer.close();
    }
  }, 300_000);

  it('drains on SIGTERM mid-stream: closes cleanly, and the successor finds nothing lost or doubled', async () => {
    const prefix = 'tdrain';
    // Redis marks only: a delivery handled but not acked before the channel closed would be billed twice.
    const first = await startConsumer(prefix, 'draining', { INBOX: 'off' });
    const writer = await OrderedWriter.start(ns, prefix);
    children.set('relay', await startRelay(ns, 'relay-a'));
    try {
      const writing = writer.writeRounds(KEYS, PER_KEY);
      await waitFor(async () => (await effectTotal(ns)) >= TOTAL / 4, {
        what: 'a quarter of the messages handled',
        timeoutMs: 120_000,
      });
      // Nest re-raises the signal after a clean close; a failed close would exit 1.
      expect(await first.kill('SIGTERM')).toBe('SIGTERM');
      const handledBySigterm = await effectTotal(ns);
      expect(handledBySigterm).toBeLessThan(TOTAL);
      await startConsumer(prefix, 'successor', { INBOX: 'off' });
      await writing;
      await settle(prefix);
      const report = await expectEveryKeyInOrder(ns, {
        label: 'transport, graceful shutdown',
        keys: KEYS,
        perKey: PER_KEY,
        childOutput: output(),
      });
      expect(report.byInstance.draining).toBe(handledBySigterm);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output()}`, { cause: error });
    } finally {
      await writer.close();
    }
  }, 300_000);
});
