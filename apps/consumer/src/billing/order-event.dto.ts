import { IsIn, IsInt, IsPositive, IsString, IsUUID, Length, Max, Min } from 'class-validator';

export const ORDER_EVENT_TYPES = ['order.created', 'order.paid', 'order.shipped'] as const;

/** The order events billing accepts; anything else is parked as `schema-invalid`. */
export class OrderEventDto {
  @IsIn(ORDER_EVENT_TYPES)
  type: (typeof ORDER_EVENT_TYPES)[number];

  @IsUUID()
  orderId: string;

  @IsString()
  @Length(1, 64)
  customerId: string;

  @IsInt()
  @IsPositive()
  amountCents: number;

  @IsInt()
  @Min(1)
  @Max(3)
  seq: number;

  @IsString()
  occurredAt: string;
}
