import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import type { DeadLetterOrigin, DeadLetterStatus } from '../dead-letters/dead-letter.entity';
import type { DeadLetterFilter, DeadLetterListQuery } from '../dead-letters/dead-letter-query';
import { OptionalTextProperty } from './optional-text.property';
import { PageSizeProperty } from './page-size.property';

export const DEAD_LETTER_STATUSES: DeadLetterStatus[] = ['open', 'replayed', 'discarded'];
export const DEAD_LETTER_ORIGINS: DeadLetterOrigin[] = ['publish', 'consume'];

/** Which dead letters a list or a bulk action covers; empty fields match everything. */
export class DeadLetterFilterDto implements DeadLetterFilter {
  @ApiPropertyOptional({ enum: DEAD_LETTER_STATUSES })
  @IsOptional()
  @IsIn(DEAD_LETTER_STATUSES)
  status?: DeadLetterStatus;

  @ApiPropertyOptional({ enum: DEAD_LETTER_ORIGINS })
  @IsOptional()
  @IsIn(DEAD_LETTER_ORIGINS)
  origin?: DeadLetterOrigin;

  @OptionalTextProperty('Queue the consume side gave up on', 255)
  queue?: string;

  @OptionalTextProperty('Exchange the publish side could not publish to', 255)
  exchange?: string;

  @OptionalTextProperty('Reason code, e.g. handler-error', 64)
  reason?: string;

  @ApiPropertyOptional({ description: 'Failure group (16 hex characters)' })
  @IsOptional()
  @Matches(/^[0-9a-f]{16}$/)
  fingerprint?: string;
}

export class DeadLetterListQueryDto extends DeadLetterFilterDto implements DeadLetterListQuery {
  @ApiPropertyOptional({
    description: 'Keyset page: dead letters with a smaller id (the last id of the previous page)',
  })
  @IsOptional()
  @Matches(/^[1-9]\d{0,18}$/)
  before?: string;

  @ApiPropertyOptional({
    minimum: 1,
    default: 1,
    description: 'Offset page; prefer `before` on large tables',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @PageSizeProperty()
  pageSize?: number;
}
