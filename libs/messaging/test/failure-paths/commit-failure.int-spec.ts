import type { INestApplicationContext } from '@nestjs/common';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { FaultProxy } from '../../../../chaos/net/fault-proxy';
import { OutboxService } from '@app/messaging';
import { waitFor, waitForQuiescence } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { outboxDrained, sqlQuery, startMessagingApp, useCollectingProbe } from '../publishing/relay-test-kit';

jest.setTimeout(90_000);

const ns = useTestNamespace('commit_fail');

/**
 * G1 when COMMIT itself fails. The business write and its outbox row go through one writer app (relay
 * off) whose every SQL statement could be the one that fails; a second app relays. A message must be
 * published exactly when its business row committed: never for a transaction whose COMMIT failed.
 */
describe('G1: a transaction whose COMMIT fails publishes nothing', () => {
  let proxy: FaultProxy;
  let writer: INestApplicationContext;
  let relay: INestApplicationContext;
  const { delivered } = useCollectingProbe(ns, 'orders');

  beforeAll(async () => {
    await sqlQuery(ns, 'CREATE TABLE business_order (id VARCHAR(64) PRIMARY KEY)');
    const db = new URL(ns.database.url);
    proxy = new FaultProxy({ targetHost: db.hostname, targetPort: Number(db.port || 3306) });
    await proxy.start();
    db.port = String(proxy.port);
    writer = await startMessagingApp(
      { ...ns, options: (o = {}) => ns.options({ ...o, mysqlUrl: db.toString() }) },
      { relay: { enabled: false } },
    );
    relay = await startMessagingApp(ns);
  });

  afterAll(async () => {
    await writer?.close();
    await relay?.close();
    await proxy?.stop();
  });

  const outbox = () => writer.get(OutboxService);
  const dataSource = () => writer.get(DataSource);

  /** The business row and its event in one transaction; `beforeCommit` runs last inside it. */
  const placeOrder = (id: string, beforeCommit: (connectionId: number) => Promise<void>) =>
    dataSource().transaction(async (manager) => {
      await manager.query('INSERT INTO business_order (id) VALUES (?)', [id]);
      await outbox().add(manager, {
        exchange: 'orders',
        routingKey: 'order.placed',
        payload: { id },
        messageId: id,
      });
      const [{ id: connectionId }] = await manager.query<Array<{ id: number }>>(
        'SELECT CONNECTION_ID() AS id',
      );
      await beforeCommit(Number(connectionId));
    });

  const businessRows = async (id: string) =>
    (await sqlQuery(ns, 'SELECT id FROM business_order WHERE id = ?', [id])).length;

  /** A committed marker delivered, the outbox drained and the queue idle: whatever was coming has come. */
  async function quiesce(): Promise<void> {
    const marker = `marker-${Date.now()}`;
    await placeOrder(marker, async () => undefined);
    await waitFor(() => delivered.some((r) => r.messageId === marker), { what: 'the marker delivered' });
    await waitForQuiescence(ns.vhost.name, ['orders'], {
      what: 'the outbox drained and the queue idle',
      idle: () => outboxDrained(ns),
    });
  }

  it('connection KILLed before COMMIT: the transaction fails, no business row, nothing published', async () => {
    const id = 'killed-before-commit';
    const admin = await createConnection({ uri: ns.database.url });
    try {
      await expect(
        placeOrder(id, (connectionId) => admin.query(`KILL ${connectionId}`).then(() => undefined)),
      ).rejects.toThrow();
    } finally {
      await admin.end();
    }
    await quiesce();
    expect(await businessRows(id)).toBe(0);
    expect(await sqlQuery(ns, 'SELECT id FROM outbox_message WHERE message_id = ?', [id])).toEqual([]);
    expect(delivered.filter((r) => r.messageId === id)).toEqual([]);
  });

  it('connection reset right after COMMIT was sent (outcome unknown to the app): published iff committed, once', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = `cut-at-commit-${i}`;
      const cut = proxy.cutAfterClientSends('COMMIT');
      const result = await placeOrder(id, async () => undefined).then(
        () => 'ok',
        () => 'failed',
      );
      proxy.heal();
      await cut;
      outcomes.push(result);
    }
    await quiesce();
    for (let i = 0; i < 5; i++) {
      const id = `cut-at-commit-${i}`;
      const committed = await businessRows(id);
      expect({ id, published: delivered.filter((r) => r.messageId === id).length }).toEqual({
        id,
        published: committed,
      });
    }
    // The app saw every one of these COMMITs fail, whatever the server did with them.
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
  });
});
