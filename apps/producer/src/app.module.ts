import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { messagingServiceImports } from '@app/messaging';
import { OrdersModule } from './orders/orders.module';
import { PRODUCER_SERVICE } from './producer.env';

@Module({
  imports: [...messagingServiceImports(PRODUCER_SERVICE), OrdersModule],
  providers: [
    // Unknown fields are refused too: a typo in a field name is a 400, not a silently ignored value.
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
  ],
})
export class AppModule {}
