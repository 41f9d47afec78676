import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { DeadLetterClass } from '../dead-letters/dead-letter-alert-queries';

/** The open (or closed) digest window of one class, as stored in `alert_window`. */
export interface AlertWindow extends DeadLetterClass {
  classKey: string;
  /** Dead letters of the class parked at or after this belong to the window (or the next one). */
  startedAt: Date;
  /** When the window's digest is due; null: closed, the next failure is emailed at once. */
  endsAt: Date | null;
  /** The dead letter emailed at once when the window opened; the digest does not count it again. */
  firstId: string | null;
}

interface WriteResult {
  affectedRows: number;
}

export function classKeyOf(cls: DeadLetterClass): string {
  return createHash('sha256').update([cls.origin, cls.source, cls.reason].join('\u0000')).digest('hex');
}

/**
 * The `alert_window` table. Every state change is one conditional statement, so two processes racing
 * for a class see exactly one winner: one opens the window (and emails at once), one claims the digest.
 */
@Injectable()
export class AlertWindowStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Opens the class's window for dead letter `id` unless one is open: true when this call opened it (the
   * caller emails at once). A new class starts counting at `countFrom`; a closed one keeps the start its
   * closing set, so a failure parked while it was closing is still counted by the next digest.
   */
  async open(cls: DeadLetterClass, id: string, countFrom: Date, endsAt: Date): Promise<boolean> {
    const key = classKeyOf(cls);
    const inserted = await this.write(
      /* sql */ `INSERT IGNORE INTO alert_window (class_key, origin, source, reason, started_at, ends_at, first_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [key, cls.origin, cls.source.slice(0, 255), cls.reason, countFrom, endsAt, id],
    );
    if (inserted === 1) return true;
    const reopened = await this.write(
      /* sql */ `UPDATE alert_window SET ends_at = ?, first_id = ? WHERE class_key = ? AND ends_at IS NULL`,
      [endsAt, id, key],
    );
    return reopened === 1;
  }

  /** Classes whose window ended at or before `now` and whose digest nobody holds. */
  async due(now: Date, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ class_key: string }>>(
      /* sql */ `SELECT class_key FROM alert_window
       WHERE ends_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY ends_at LIMIT ?`,
      [now, now, limit],
    );
    return rows.map((row) => row.class_key);
  }

  /** Classes with an open window, whether due or not (shutdown sends what they collected). */
  async openWindows(limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ class_key: string }>>(
      /* sql */ `SELECT class_key FROM alert_window WHERE ends_at IS NOT NULL ORDER BY ends_at LIMIT ?`,
      [limit],
    );
    return rows.map((row) => row.class_key);
  }

  /**
   * Claims the class's digest until `until` (a crashed holder's claim lapses, another process takes
   * over); returns the window when claimed, null when another process holds it or it is not due.
   */
  async claim(key: string, owner: string, now: Date, until: Date, dueBy: Date): Promise<AlertWindow | null> {
    const claimed = await this.write(
      /* sql */ `UPDATE alert_window SET claimed_by = ?, claimed_until = ?
       WHERE class_key = ? AND ends_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)`,
      [owner, until, key, dueBy, now],
    );
    if (claimed !== 1) return null;
    // Columns under AlertWindow's field names; first_id is BIGINT, read as a string (bigNumberStrings).
    const [window] = await this.dataSource.query<AlertWindow[]>(
      /* sql */ `SELECT class_key AS classKey, origin, source, reason, started_at AS startedAt,
         ends_at AS endsAt, first_id AS firstId
       FROM alert_window WHERE class_key = ? AND claimed_by = ?`,
      [key, owner],
    );
    return window ?? null;
  }

  /** The digest up to `countedTo` went out: the next window counts from there and ends at `endsAt`. */
  async advance(key: string, owner: string, countedTo: Date, endsAt: Date): Promise<boolean> {
    const done = await this.write(
      /* sql */ `UPDATE alert_window SET started_at = ?, ends_at = ?, claimed_by = NULL, claimed_until = NULL
       WHERE class_key = ? AND claimed_by = ?`,
      [countedTo, endsAt, key, owner],
    );
    return done === 1;
  }

  /**
   * A quiet window closes: the next failure of the class is news again and emailed at once. The next
   * window counts from `countFrom`, so no failure this one already reported is counted again.
   */
  async close(key: string, owner: string, countFrom: Date): Promise<boolean> {
    const done = await this.write(
      /* sql */ `UPDATE alert_window SET started_at = ?, ends_at = NULL, claimed_by = NULL, claimed_until = NULL
       WHERE class_key = ? AND claimed_by = ?`,
      [countFrom, key, owner],
    );
    return done === 1;
  }

  /** A closed window had a failure slip in while closing: make it due now (no new email at once). */
  async reopenDue(key: string, now: Date): Promise<void> {
    await this.write(
      /* sql */ `UPDATE alert_window SET ends_at = ? WHERE class_key = ? AND ends_at IS NULL`,
      [now, key],
    );
  }

  /** Gives a claim back (the digest could not be sent); another tick or process tries again. */
  async release(key: string, owner: string, retryAt: Date): Promise<void> {
    await this.write(
      /* sql */ `UPDATE alert_window SET claimed_by = NULL, claimed_until = ? WHERE class_key = ? AND claimed_by = ?`,
      [retryAt, key, owner],
    );
  }

  private async write(sql: string, params: unknown[]): Promise<number> {
    const result = await this.dataSource.query<WriteResult>(sql, params);
    return result.affectedRows;
  }
}
