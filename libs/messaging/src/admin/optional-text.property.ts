import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** An optional free-text filter field of at most `maxLength` characters (the column's width). */
export function OptionalTextProperty(description: string, maxLength: number): PropertyDecorator {
  // Listed bottom-up, the order stacked decorators apply in: a 400 keeps its messages' order.
  return applyDecorators(
    MaxLength(maxLength),
    IsString(),
    IsOptional(),
    ApiPropertyOptional({ description }),
  );
}
