import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DeadLetterFilterDto } from './dead-letter-filter.dto';

export class DiscardDeadLetterDto {
  @ApiProperty({ description: 'Why the message is given up; kept as resolution_note' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}

/** Bulk replay: the open dead letters matching `filter`, at most `limit` per call. */
export class BulkReplayDto {
  @ApiPropertyOptional({ type: DeadLetterFilterDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DeadLetterFilterDto)
  filter?: DeadLetterFilterDto;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** Bulk discard: every open dead letter matching `filter`, with one reason. */
export class BulkDiscardDto extends DiscardDeadLetterDto {
  @ApiPropertyOptional({ type: DeadLetterFilterDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DeadLetterFilterDto)
  filter?: DeadLetterFilterDto;
}
