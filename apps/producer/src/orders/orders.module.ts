import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { OutboxClientProxy } from '@app/messaging';
import { ORDER_EVENTS_CLIENT, ORDER_EVENTS_STREAM } from './order-events';
import { OrdersController } from './orders.controller';
import { OrderEventsTopology } from './order-events.topology';
import { OrdersService } from './orders.service';

@Module({
  imports: [
    ClientsModule.register([
      { name: ORDER_EVENTS_CLIENT, customClass: OutboxClientProxy, options: { stream: ORDER_EVENTS_STREAM } },
    ]),
  ],
  controllers: [OrdersController],
  providers: [OrdersService, OrderEventsTopology],
})
export class OrdersModule {}
