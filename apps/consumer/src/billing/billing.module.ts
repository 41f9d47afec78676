import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';
import { OrderEventsHandler } from './order-events.handler';

@Module({
  controllers: [LedgerController, OrderEventsHandler],
})
export class BillingModule {}
