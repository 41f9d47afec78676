import { Module } from '@nestjs/common';
import { messagingServiceImports } from '@app/messaging';
import { BillingModule } from './billing/billing.module';
import { CONSUMER_SERVICE } from './consumer.env';

@Module({
  imports: [...messagingServiceImports(CONSUMER_SERVICE), BillingModule],
})
export class AppModule {}
