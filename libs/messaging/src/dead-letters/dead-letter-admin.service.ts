import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeadLetter, DeadLetterStatus } from './dead-letter.entity';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterNotFoundError } from './dead-letter-not-found.error';
import { DeadLetterFilter, DeadLetterListQuery, whereDeadLetterMatches } from './dead-letter-query';
import { isRowId } from './open-dead-letter';

export const ADMIN_DEFAULT_PAGE_SIZE = 50;

export interface DeadLetterPage {
  items: DeadLetter[];
  page: number;
  pageSize: number;
  /** Matching dead letters; from the group counters when the filter is by status only. */
  total: number;
  /** `before` for the next (older) page; null on the last page. */
  nextBefore: string | null;
}

export type DeadLetterCounts = Record<DeadLetterStatus, number>;

/**
 * Lists and shows dead letters for the admin page and API (G8). The actions on them: DeadLetterReplayer,
 * DeadLetterDiscarder, DeadLetterEditor, GroupActions.
 */
@Injectable()
export class DeadLetterAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly groups: DeadLetterGroups,
  ) {}

  /** Newest first. `before` pages by id (keyset: the cost of a page does not grow with the table). */
  async list(query: DeadLetterListQuery): Promise<DeadLetterPage> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? ADMIN_DEFAULT_PAGE_SIZE;
    const builder = whereDeadLetterMatches(
      this.dataSource.getRepository(DeadLetter).createQueryBuilder('dl'),
      query,
    ).orderBy('dl.id', 'DESC');
    if (query.before) builder.andWhere('dl.id < :before', { before: query.before });
    else if (page > 1) builder.skip((page - 1) * pageSize);
    const rows = await builder.take(pageSize + 1).getMany();
    const items = rows.slice(0, pageSize);
    const nextBefore = rows.length > pageSize ? items[items.length - 1].id : null;
    return { items, page, pageSize, total: await this.total(query), nextBefore };
  }

  /** Dead letters per status, from the group counters (no scan of `dead_letter`). */
  counts(): Promise<DeadLetterCounts> {
    return this.groups.totals();
  }

  async get(id: string): Promise<DeadLetter> {
    const row = isRowId(id) ? await this.dataSource.getRepository(DeadLetter).findOneBy({ id }) : null;
    if (!row) throw new DeadLetterNotFoundError(id);
    return row;
  }

  /** Ids of up to `limit` open dead letters matching the filter, oldest first (bulk replay). */
  async openIds(filter: DeadLetterFilter, limit: number): Promise<string[]> {
    const rows = await whereDeadLetterMatches(
      this.dataSource.getRepository(DeadLetter).createQueryBuilder('dl').select('dl.id', 'id'),
      { ...filter, status: 'open' },
    )
      .orderBy('dl.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => String(row.id));
  }

  private async total(filter: DeadLetterFilter): Promise<number> {
    const { status, origin, queue, exchange, reason, fingerprint } = filter;
    if (!origin && !queue && !exchange && !reason && !fingerprint) {
      const counts = await this.counts();
      return status ? counts[status] : counts.open + counts.replayed + counts.discarded;
    }
    return whereDeadLetterMatches(
      this.dataSource.getRepository(DeadLetter).createQueryBuilder('dl'),
      filter,
    ).getCount();
  }
}
