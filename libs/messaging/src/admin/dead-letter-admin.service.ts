import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DeadLetter, DeadLetterStatus } from '../dead-letters/dead-letter.entity';
import type { DeadLetterFilterDto, DeadLetterListQueryDto } from './dead-letter-filter.dto';
import { DeadLetterNotFoundError } from './dead-letter-not-found.error';
import { DeadLetterNotOpenError } from './dead-letter-not-open.error';
import { whereDeadLetterMatches } from './dead-letter-query';

export const ADMIN_DEFAULT_PAGE_SIZE = 50;

export interface DeadLetterPage {
  items: DeadLetter[];
  page: number;
  pageSize: number;
  total: number;
}

export type DeadLetterCounts = Record<DeadLetterStatus, number>;

/** Lists, shows and discards dead letters for the admin page and API (G8). Replay: DeadLetterReplayer. */
@Injectable()
export class DeadLetterAdminService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: DeadLetterListQueryDto): Promise<DeadLetterPage> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? ADMIN_DEFAULT_PAGE_SIZE;
    const [items, total] = await whereDeadLetterMatches(
      this.dataSource.getRepository(DeadLetter).createQueryBuilder('dl'),
      query,
    )
      .orderBy('dl.id', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, page, pageSize, total };
  }

  /** Dead letters per status (whole table: the page's header shows the overall picture). */
  async counts(): Promise<DeadLetterCounts> {
    const rows: Array<{ status: DeadLetterStatus; n: string | number }> = await this.dataSource.query(
      /* sql */ 'SELECT status, COUNT(*) AS n FROM dead_letter GROUP BY status',
    );
    const counts: DeadLetterCounts = { open: 0, replayed: 0, discarded: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async get(id: string): Promise<DeadLetter> {
    const row = isRowId(id) ? await this.dataSource.getRepository(DeadLetter).findOneBy({ id }) : null;
    if (!row) throw new DeadLetterNotFoundError(id);
    return row;
  }

  async discard(id: string, reason: string, by: string): Promise<DeadLetter> {
    return this.dataSource.transaction(async (manager) => {
      const row = await lockOpenDeadLetter(manager, id);
      Object.assign(row, resolution('discarded', by, reason));
      return manager.save(DeadLetter, row);
    });
  }

  /** Discards every open dead letter matching the filter in one statement; returns how many. */
  async discardMatching(filter: DeadLetterFilterDto, reason: string, by: string): Promise<number> {
    const ids = await whereDeadLetterMatches(
      this.dataSource.getRepository(DeadLetter).createQueryBuilder('dl').select('dl.id', 'id'),
      { ...filter, status: 'open' },
    ).getRawMany<{ id: string }>();
    if (ids.length === 0) return 0;
    const result = await this.dataSource
      .createQueryBuilder()
      .update(DeadLetter)
      .set(resolution('discarded', by, reason))
      // status re-checked: a row replayed since the select above stays replayed.
      .where('id IN (:...ids) AND status = :open', { ids: ids.map((row) => row.id), open: 'open' })
      .execute();
    return result.affected ?? 0;
  }
}

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
