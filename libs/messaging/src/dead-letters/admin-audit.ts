import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AdminIdentity } from './admin-identity';

export type AdminAuditAction =
  | 'login'
  | 'replay'
  | 'discard'
  | 'bulk-replay'
  | 'bulk-discard'
  | 'group-replay'
  | 'group-discard'
  | 'edit'
  | 'cancel-scheduled';

/** One admin action: when, who (the name given and the token's name), what, on which ids. */
export interface AdminAuditEntry {
  id: string;
  at: Date;
  actor: string;
  token: string;
  action: AdminAuditAction;
  target: string | null;
  ids: string[];
  detail: string | null;
  before: string | null;
  after: string | null;
}

export interface AdminAuditRecord {
  action: AdminAuditAction;
  target?: string | null;
  ids?: string[];
  detail?: string | null;
  before?: string | null;
  after?: string | null;
}

/** A row as MySQL returns it: ids as one comma list, before/after under their column names. */
type AuditRow = Omit<AdminAuditEntry, 'ids' | 'before' | 'after'> & {
  ids: string | null;
  before_value: string | null;
  after_value: string | null;
};

/** Ids kept per entry; a group action names its group in `target` and counts in `detail`. */
const MAX_IDS = 1000;

/** The `admin_audit` table: written beside every admin action, read newest first with keyset pages. */
@Injectable()
export class AdminAudit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Pass the action's transaction manager when there is one, so the entry commits with the action. */
  async record(who: AdminIdentity, entry: AdminAuditRecord, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      /* sql */ `INSERT INTO admin_audit (at, actor, token, action, target, ids, detail, before_value, after_value)
       VALUES (UTC_TIMESTAMP(3), ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        who.user.slice(0, 128),
        who.role,
        entry.action,
        entry.target?.slice(0, 255) ?? null,
        entry.ids?.length ? entry.ids.slice(0, MAX_IDS).join(',') : null,
        entry.detail?.slice(0, 10_000) ?? null,
        entry.before ?? null,
        entry.after ?? null,
      ],
    );
  }

  /** Newest first; `before` is the id of the last entry of the previous page (keyset, no OFFSET). */
  async list(limit: number, before?: string, action?: AdminAuditAction): Promise<AdminAuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (action) {
      where.push('action = ?');
      params.push(action);
    }
    if (before) {
      where.push('id < ?');
      params.push(before);
    }
    const rows = await this.dataSource.query<AuditRow[]>(
      /* sql */ `SELECT * FROM admin_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT ?`,
      [...params, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at,
      actor: r.actor,
      token: r.token,
      action: r.action,
      target: r.target,
      ids: r.ids ? r.ids.split(',') : [],
      detail: r.detail,
      before: r.before_value,
      after: r.after_value,
    }));
  }
}
