import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';
import { OrderEventsHandler } from './order-events.handler';

@Module({
  controllers: [LedgerController],
  providers: [OrderEventsHandler],
})
export class BillingModule {}
