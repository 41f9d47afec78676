import { Controller, Get, ParseUUIDPipe, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { BillingLedgerEntry } from './billing-ledger.entity';

const LEDGER_PAGE_LIMIT = 1000;

@ApiTags('ledger')
@Controller('ledger')
export class LedgerController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Ledger rows in handling order (`id`), optionally of one order. */
  @Get()
  @ApiQuery({ name: 'orderId', required: false })
  async list(
    @Query('orderId', new ParseUUIDPipe({ optional: true })) orderId?: string,
  ): Promise<BillingLedgerEntry[]> {
    return this.dataSource.manager.find(BillingLedgerEntry, {
      where: orderId ? { orderId } : {},
      order: { id: 'ASC' },
      take: LEDGER_PAGE_LIMIT,
    });
  }
}
