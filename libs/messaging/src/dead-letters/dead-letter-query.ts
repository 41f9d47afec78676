import type { SelectQueryBuilder } from 'typeorm';
import type { DeadLetter, DeadLetterOrigin, DeadLetterStatus } from './dead-letter.entity';

/** Which dead letters a list or a bulk action covers; empty fields match everything. */
export interface DeadLetterFilter {
  status?: DeadLetterStatus;
  origin?: DeadLetterOrigin;
  queue?: string;
  exchange?: string;
  reason?: string;
  fingerprint?: string;
}

/** A filter plus its page: `before` (keyset, an id) or `page` (offset), and the page size. */
export interface DeadLetterListQuery extends DeadLetterFilter {
  before?: string;
  page?: number;
  pageSize?: number;
}

/** Narrows a query on `dead_letter` (alias `dl`) to a filter; the one place filters become SQL. */
export function whereDeadLetterMatches(
  query: SelectQueryBuilder<DeadLetter>,
  filter: DeadLetterFilter,
): SelectQueryBuilder<DeadLetter> {
  if (filter.status) query.andWhere('dl.status = :status', { status: filter.status });
  if (filter.origin) query.andWhere('dl.origin = :origin', { origin: filter.origin });
  if (filter.queue) query.andWhere('dl.queue = :queue', { queue: filter.queue });
  if (filter.exchange) query.andWhere('dl.exchange = :exchange', { exchange: filter.exchange });
  if (filter.reason) query.andWhere('dl.reason = :reason', { reason: filter.reason });
  if (filter.fingerprint)
    query.andWhere('dl.fingerprint = :fingerprint', { fingerprint: filter.fingerprint });
  return query;
}
