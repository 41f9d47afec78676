import type { SelectQueryBuilder } from 'typeorm';
import type { DeadLetter } from '../dead-letters/dead-letter.entity';
import type { DeadLetterFilterDto } from './dead-letter-filter.dto';

/** Narrows a query on `dead_letter` (alias `dl`) to a filter; the one place filters become SQL. */
export function whereDeadLetterMatches(
  query: SelectQueryBuilder<DeadLetter>,
  filter: DeadLetterFilterDto,
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
