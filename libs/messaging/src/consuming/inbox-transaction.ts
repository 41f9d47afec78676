import type { DataSource } from 'typeorm';
import { DUPLICATE_DELIVERY, ReliableDeliveryContext } from './delivery-context';
import { InboxMessage } from './inbox-message.entity';

export const ER_DUP_ENTRY = 1062;

/**
 * Inbox mode with group commit turned off (`inboxBatch: false`): runs a handler inside a transaction that first inserts the `inbox_message` row: the effect and the
 * proof of it commit together, so a redelivery after Redis lost its marks finds the row and skips.
 * Inserting first also makes a concurrent duplicate wait on the row lock instead of running twice.
 */
export async function runInInbox(
  dataSource: DataSource,
  delivery: ReliableDeliveryContext,
  handler: () => Promise<unknown>,
): Promise<unknown> {
  return dataSource.transaction(async (manager) => {
    try {
      await manager.insert(InboxMessage, {
        consumer: delivery.consumer,
        messageId: delivery.messageId,
        handledAt: new Date(),
      });
    } catch (error) {
      if (isDuplicateKey(error)) return DUPLICATE_DELIVERY;
      throw error;
    }
    delivery.manager = manager;
    try {
      return await handler();
    } finally {
      delivery.manager = undefined;
    }
  });
}

function isDuplicateKey(error: unknown): boolean {
  return driverErrno(error) === ER_DUP_ENTRY;
}

/** The MySQL error number of a failed query, wrapped by TypeORM or not. */
export function driverErrno(error: unknown): number | undefined {
  const driverError = (error as { driverError?: { errno?: number } } | undefined)?.driverError;
  return driverError?.errno ?? (error as { errno?: number } | undefined)?.errno;
}
