import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { countOutbox, distinct, seedOutbox, useCollectingProbe, useRelayProcesses } from './relay-test-kit';

const ROWS = 3000;

const ns = useTestNamespace('relay_kill');

describe('A relay killed mid-drain (SIGKILL)', () => {
  const { delivered } = useCollectingProbe(ns, 'orders');
  const relays = useRelayProcesses(ns);
  const count = (where: string) => countOutbox(ns, where);

  it('loses nothing: the resend job re-claims its leased rows after the lease expired', async () => {
    await seedOutbox(
      ns,
      Array.from({ length: ROWS }, (_, i) => ({ exchange: 'orders', payload: { i } })),
    );
    // A small window so the kill lands while rows are leased and in flight.
    const first = await relays.start({ RELAY_OWNER: 'first', RELAY_BATCH_SIZE: '20', RELAY_WINDOW: '20' });
    await waitFor(async () => (await count('sent_at IS NOT NULL')) >= 300, {
      what: '300 rows sent by the first relay',
    });
    // Freeze it, and kill it only while it holds leased, unsent rows: the case the resend job is for.
    const pid = first.process.pid!;
    const leasedByFirst = await waitFor(
      async () => {
        process.kill(pid, 'SIGSTOP');
        const leased = await count("sent_at IS NULL AND locked_by = 'first'");
        if (leased === 0) process.kill(pid, 'SIGCONT');
        return leased;
      },
      { what: 'the first relay holding leased rows', intervalMs: 5 },
    );
    await first.kill('SIGKILL');
    expect(await count('sent_at IS NULL')).toBeGreaterThan(0);

    await relays.start({ RELAY_OWNER: 'second', RELAY_LEASE_MS: '3000' });
    await waitFor(async () => (await count('sent_at IS NULL')) === 0, {
      what: 'every row sent after the lease expired',
      timeoutMs: 60_000,
    });
    await waitFor(() => distinct(delivered) === ROWS, {
      what: `${ROWS} distinct messages`,
      timeoutMs: 30_000,
    });
    expect(distinct(delivered)).toBe(ROWS);
    // The rows the killed relay held were taken over by the resend poll of the second one.
    expect(leasedByFirst).toBeGreaterThan(0);
    expect(await count("locked_by = 'second'")).toBeGreaterThan(0);
  }, 120_000);
});
