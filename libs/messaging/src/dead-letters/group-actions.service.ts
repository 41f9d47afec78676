import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { DataSource, In } from 'typeorm';
import { InjectOptions } from '../messaging.constants';
import type { MessagingOptionGroups } from '../messaging.options';
import { AdminAudit } from './admin-audit';
import type { AdminIdentity } from './admin-identity';
import { DeadLetter } from './dead-letter.entity';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterResolutions } from './dead-letter-resolutions';

export type GroupActionKind = 'replay' | 'discard';

/** A group replay or discard running in background batches, and how far it got. */
export interface GroupAction {
  id: string;
  fingerprint: string;
  kind: GroupActionKind;
  actor: string;
  state: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  refused: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/** What a run reads back of its action: the group, who, and how far it got. */
interface ActionProgress {
  id: string;
  fingerprint: string;
  kind: GroupActionKind;
  actor: string;
  note: string | null;
  last_id: string;
  max_id: string;
}

/**
 * A GroupAction straight from SQL: columns under its field names, ids as strings (BIGINT, read with
 * `bigNumberStrings`), counts as numbers (INT).
 */
const ACTION_FIELDS = /* sql */ `a.id, a.fingerprint, a.kind, a.actor, a.state, a.total, a.done, a.refused,
  a.error, a.started_at AS startedAt, a.finished_at AS finishedAt`;

/**
 * Replay all / discard all of a failure group: the open dead letters of the group at the moment the
 * action starts (ids up to the group's current maximum, so later failures wait for the next decision),
 * in batches of `admin.groupBatchSize`, each batch one short transaction, yielding to the event loop in
 * between so the relay and the consumers keep their pace. Progress is a `dead_letter_action` row.
 */
@Injectable()
export class GroupActions {
  private readonly logger = new Logger(GroupActions.name);
  private readonly running = new Set<Promise<void>>();

  constructor(
    @InjectOptions('admin') private readonly admin: Pick<MessagingOptionGroups['admin'], 'groupBatchSize'>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly groups: DeadLetterGroups,
    private readonly resolutions: DeadLetterResolutions,
    private readonly audit: AdminAudit,
  ) {}

  async start(
    fingerprint: string,
    kind: GroupActionKind,
    who: AdminIdentity,
    note?: string,
  ): Promise<GroupAction> {
    if (!(await this.groups.get(fingerprint))) {
      throw new NotFoundException(`No failure group ${fingerprint}`);
    }
    const [scope] = await this.dataSource.query<Array<{ n: string; max_id: string | null }>>(
      /* sql */ `SELECT COUNT(*) AS n, MAX(id) AS max_id FROM dead_letter WHERE status = 'open' AND fingerprint = ?`,
      [fingerprint],
    );
    const ids = await this.dataSource.query<Array<{ id: string }>>(
      /* sql */ `SELECT id FROM dead_letter WHERE status = 'open' AND fingerprint = ? ORDER BY id LIMIT 1000`,
      [fingerprint],
    );
    const id = await this.dataSource.transaction(async (manager) => {
      const inserted = await manager.query<{ insertId: number }>(
        /* sql */ `INSERT INTO dead_letter_action (fingerprint, kind, actor, note, total, max_id, state)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [fingerprint, kind, who.user, note ?? null, Number(scope.n), scope.max_id ?? 0, 'running'],
      );
      await this.audit.record(
        who,
        {
          action: kind === 'replay' ? 'group-replay' : 'group-discard',
          target: fingerprint,
          ids: ids.map((row) => String(row.id)),
          detail: `${scope.n} open dead letter(s)${note ? `; reason: ${note}` : ''}`,
        },
        manager,
      );
      return String(inserted.insertId);
    });
    const run = this.run(id).finally(() => this.running.delete(run));
    this.running.add(run);
    return this.get(id);
  }

  async get(id: string): Promise<GroupAction> {
    const [action] = await this.dataSource.query<GroupAction[]>(
      `SELECT ${ACTION_FIELDS} FROM dead_letter_action a WHERE a.id = ?`,
      [id],
    );
    if (!action) throw new NotFoundException(`No group action ${id}`);
    return action;
  }

  /** The latest action of each of these groups, for the groups view. */
  async latest(fingerprints: string[]): Promise<Map<string, GroupAction>> {
    if (fingerprints.length === 0) return new Map();
    const actions = await this.dataSource.query<GroupAction[]>(
      /* sql */ `SELECT ${ACTION_FIELDS} FROM dead_letter_action a
       JOIN (SELECT fingerprint, MAX(id) AS id FROM dead_letter_action WHERE fingerprint IN (?) GROUP BY fingerprint) l
         ON l.id = a.id`,
      [fingerprints],
    );
    return new Map(actions.map((action) => [action.fingerprint, action]));
  }

  /** Resolves when the actions started by this process have finished (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.idle();
  }

  private async run(id: string): Promise<void> {
    try {
      for (;;) {
        const [action] = await this.dataSource.query<ActionProgress[]>(
          `SELECT id, fingerprint, kind, actor, note, last_id, max_id FROM dead_letter_action WHERE id = ?`,
          [id],
        );
        const ids = await this.dataSource.query<Array<{ id: string }>>(
          /* sql */ `SELECT id FROM dead_letter WHERE status = 'open' AND fingerprint = ? AND id > ? AND id <= ?
           ORDER BY id LIMIT ?`,
          [action.fingerprint, action.last_id, action.max_id, this.admin.groupBatchSize],
        );
        if (ids.length === 0) break;
        await this.batch(
          action,
          ids.map((row) => String(row.id)),
        );
        await yieldToLoop();
      }
      await this.dataSource.query(
        `UPDATE dead_letter_action SET state = 'done', finished_at = UTC_TIMESTAMP(3) WHERE id = ?`,
        [id],
      );
    } catch (error) {
      this.logger.error({ msg: 'group action failed', actionId: id, error: (error as Error).message });
      await this.dataSource
        .query(
          `UPDATE dead_letter_action SET state = 'failed', error = ?, finished_at = UTC_TIMESTAMP(3) WHERE id = ?`,
          [(error as Error).message.slice(0, 2000), id],
        )
        .catch(() => undefined);
    }
  }

  /** One transaction: the rows locked, replayed into the outbox or discarded, the group counts and progress. */
  private async batch(action: ActionProgress, ids: string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const rows = await manager.find(DeadLetter, {
        where: { id: In(ids), status: 'open' },
        lock: { mode: 'pessimistic_write' },
        order: { id: 'ASC' },
      });
      const status = action.kind === 'replay' ? 'replayed' : 'discarded';
      const { closed, refused } = await this.resolutions.closeAll(
        manager,
        rows,
        status,
        action.actor,
        action.note,
      );
      await manager.query(
        /* sql */ `UPDATE dead_letter_action SET done = done + ?, refused = refused + ?, last_id = ? WHERE id = ?`,
        [closed, refused, ids[ids.length - 1], action.id],
      );
    });
  }
}
