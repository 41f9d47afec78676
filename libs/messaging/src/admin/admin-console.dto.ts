import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, Matches } from 'class-validator';
import type { AdminAuditAction } from '../dead-letters/admin-audit';
import { ROW_ID } from './page-cursor';
import { PageSizeProperty } from './page-size.property';

export class EditPayloadDto {
  @ApiProperty({ description: 'The corrected payload (any JSON value); the original is kept' })
  @IsDefined()
  payload!: unknown;
}

export const AUDIT_ACTIONS: AdminAuditAction[] = [
  'login',
  'replay',
  'discard',
  'bulk-replay',
  'bulk-discard',
  'group-replay',
  'group-discard',
  'edit',
  'cancel-scheduled',
];

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Keyset page: entries with a smaller id' })
  @IsOptional()
  @Matches(ROW_ID)
  before?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AdminAuditAction;

  @PageSizeProperty()
  limit?: number;
}

export class ScheduledQueryDto {
  @ApiPropertyOptional({ description: 'Keyset page: continue after this row (`id` of the last row)' })
  @IsOptional()
  @Matches(ROW_ID)
  afterId?: string;

  @ApiPropertyOptional({ description: 'Due time (ISO 8601) of the last row of the previous page' })
  @IsOptional()
  @Type(() => Date)
  afterDue?: Date;

  @PageSizeProperty()
  limit?: number;
}
