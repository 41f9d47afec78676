import type { QueryRunner } from 'typeorm';
import { OutboxLeaseInPlace1765000000000 } from '@app/messaging/testing';
import { createIsolatedDatabase, IsolatedDatabase } from '../support/isolated-database';

interface LeaseColumns {
  message_id: string;
  locked_by: string | null;
  locked_until: Date | null;
}

const NOT_LEASED = new Date('1970-01-01T00:00:01.000Z');

/**
 * ADR 0211: the lease columns have their full width from the INSERT on, so a claim's lease rewrites the
 * row in place. Checked on the schema and on rows written before the migration.
 */
describe('Outbox lease columns of one width for a row’s whole life', () => {
  let db: IsolatedDatabase;
  const migration = new OutboxLeaseInPlace1765000000000();
  const runner = () => ({ query: (sql: string) => db.query(sql) }) as unknown as QueryRunner;
  const rows = () =>
    db.query<LeaseColumns>('SELECT message_id, locked_by, locked_until FROM outbox_message ORDER BY id');
  const insert = (messageId: string, lockedBy: string | null, lockedUntil: string | null, sent = false) =>
    db.query(
      `INSERT INTO outbox_message (message_id, exchange, routing_key, payload, locked_by, locked_until, sent_at)
       VALUES (?, 'x', 'k', '{}', ?, ?, ?)`,
      [messageId, lockedBy, lockedUntil, sent ? new Date() : null],
    );

  beforeAll(async () => {
    db = await createIsolatedDatabase('lease-in-place');
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(() => db.query('DELETE FROM outbox_message'));

  it('declares locked_by fixed-width ASCII and gives an unleased row a lease that ended long ago', async () => {
    const [column] = await db.query<{ type: string; charset: string; nullable: string }>(
      `SELECT COLUMN_TYPE AS type, CHARACTER_SET_NAME AS charset, IS_NULLABLE AS nullable
       FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'outbox_message' AND COLUMN_NAME = 'locked_by'`,
    );
    // Nullable: instances still on the previous version write NULL during a rolling deploy.
    expect(column).toEqual({ type: 'char(64)', charset: 'ascii', nullable: 'YES' });
    await db.query(
      `INSERT INTO outbox_message (message_id, exchange, routing_key, payload) VALUES ('defaults', 'x', 'k', '{}')`,
    );
    expect(await rows()).toEqual([{ message_id: 'defaults', locked_by: '', locked_until: NOT_LEASED }]);
  });

  it('accepts rows written the way the previous version writes them during a rolling deploy', async () => {
    await insert('written-by-previous-version', null, null);
    await db.query(`UPDATE outbox_message SET locked_by = NULL, locked_until = NULL`);
    expect(await rows()).toEqual([
      { message_id: 'written-by-previous-version', locked_by: null, locked_until: null },
    ]);
  });

  it('converts rows written before it: unleased rows get the defaults, an owner that does not fit loses its name', async () => {
    await migration.down(runner());
    try {
      await insert('unleased', null, null);
      await insert('leased', 'orders@host:1:abc', '2030-01-01 00:00:00.000');
      await insert('sent', 'orders@host:1:abc', null, true);
      await insert('long-owner', 'o'.repeat(100), '2030-01-01 00:00:00.000');
      await insert('non-ascii-owner', 'relay-é', '2030-01-01 00:00:00.000');
    } finally {
      await migration.up(runner());
    }
    expect(await rows()).toEqual([
      { message_id: 'unleased', locked_by: '', locked_until: NOT_LEASED },
      {
        message_id: 'leased',
        locked_by: 'orders@host:1:abc',
        locked_until: new Date('2030-01-01T00:00:00.000Z'),
      },
      // A sent row keeps its NULL: the mark-sent left it so (it frees the bytes sent_at takes).
      { message_id: 'sent', locked_by: 'orders@host:1:abc', locked_until: null },
      { message_id: 'long-owner', locked_by: '', locked_until: new Date('2030-01-01T00:00:00.000Z') },
      { message_id: 'non-ascii-owner', locked_by: '', locked_until: new Date('2030-01-01T00:00:00.000Z') },
    ]);
  });

  it('reverts to nullable columns, unleased rows back to NULL', async () => {
    await insert('unleased', '', '1970-01-01 00:00:01.000');
    await insert('leased', 'orders@host:1:abc', '2030-01-01 00:00:00.000');
    await migration.down(runner());
    try {
      expect(await rows()).toEqual([
        { message_id: 'unleased', locked_by: null, locked_until: null },
        {
          message_id: 'leased',
          locked_by: 'orders@host:1:abc',
          locked_until: new Date('2030-01-01T00:00:00.000Z'),
        },
      ]);
    } finally {
      await migration.up(runner());
    }
  });
});
