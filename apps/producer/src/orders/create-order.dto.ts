import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsPositive, IsString, Length, Max } from 'class-validator';

export class CreateOrderDto {
  @ApiProperty({ minLength: 1, maxLength: 64, example: 'customer-42' })
  @IsString()
  @Length(1, 64)
  customerId: string;

  @ApiProperty({ minimum: 1, example: 1999 })
  @IsInt()
  @IsPositive()
  @Max(2_147_483_647)
  amountCents: number;
}
