import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller';
import { OrderEventsTopology } from './order-events.topology';
import { OrdersService } from './orders.service';

@Module({
  controllers: [OrdersController],
  providers: [OrdersService, OrderEventsTopology],
})
export class OrdersModule {}
