import { Module } from '@nestjs/common';
import { DeadLetterAlertQueries } from './dead-letter-alert-queries';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterQueueDrainer } from './dead-letter-queue-drainer';
import { DeadLetterService } from './dead-letter.service';

@Module({
  providers: [DeadLetterService, DeadLetterGroups, DeadLetterAlertQueries, DeadLetterQueueDrainer],
  exports: [DeadLetterService, DeadLetterGroups, DeadLetterAlertQueries, DeadLetterQueueDrainer],
})
export class DeadLettersModule {}
