import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DeadLetterAlertQueries } from './dead-letter-alert-queries';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterQueueDrainer } from './dead-letter-queue-drainer';
import { DeadLetterService } from './dead-letter.service';

@Module({
  imports: [DiscoveryModule],
  providers: [DeadLetterService, DeadLetterGroups, DeadLetterAlertQueries, DeadLetterQueueDrainer],
  exports: [DeadLetterService, DeadLetterGroups, DeadLetterAlertQueries],
})
export class DeadLettersModule {}
