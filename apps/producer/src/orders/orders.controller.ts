import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateOrderDto } from './create-order.dto';
import type { Order } from './order.entity';
import { OrdersService } from './orders.service';

interface OrderView {
  id: string;
  status: string;
  customerId: string;
  amountCents: number;
  seq: number;
}

const view = (order: Order): OrderView => ({
  id: order.id,
  status: order.status,
  customerId: order.customerId,
  amountCents: order.amountCents,
  seq: order.seq,
});

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  async create(@Body() dto: CreateOrderDto): Promise<{ id: string; status: string }> {
    const order = await this.orders.create(dto);
    return { id: order.id, status: order.status };
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<OrderView> {
    return view(await this.orders.get(id));
  }

  @Post(':id/pay')
  @HttpCode(200)
  async pay(@Param('id', ParseUUIDPipe) id: string): Promise<OrderView> {
    return view(await this.orders.apply(id, 'pay'));
  }

  @Post(':id/ship')
  @HttpCode(200)
  async ship(@Param('id', ParseUUIDPipe) id: string): Promise<OrderView> {
    return view(await this.orders.apply(id, 'ship'));
  }
}
