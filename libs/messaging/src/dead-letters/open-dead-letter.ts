import type { EntityManager } from 'typeorm';
import { DeadLetter, DeadLetterStatus } from './dead-letter.entity';
import { DeadLetterNotFoundError } from './dead-letter-not-found.error';
import { DeadLetterNotOpenError } from './dead-letter-not-open.error';

export function isRowId(id: string): boolean {
  return /^[1-9]\d{0,18}$/.test(id);
}

/** Reads the dead letter FOR UPDATE, so two concurrent replays/discards of it serialize; refuses closed ones. */
export async function lockOpenDeadLetter(manager: EntityManager, id: string): Promise<DeadLetter> {
  const row = isRowId(id)
    ? await manager.findOne(DeadLetter, { where: { id }, lock: { mode: 'pessimistic_write' } })
    : null;
  if (!row) throw new DeadLetterNotFoundError(id);
  if (row.status !== 'open') throw new DeadLetterNotOpenError(id, row.status);
  return row;
}

export function resolution(
  status: Exclude<DeadLetterStatus, 'open'>,
  by: string,
  note: string | null,
): Pick<DeadLetter, 'status' | 'resolvedBy' | 'resolvedAt' | 'resolutionNote'> {
  return { status, resolvedBy: by, resolvedAt: new Date(), resolutionNote: note };
}
