import { Module } from '@nestjs/common';
import { DeadLetterAlertQueries } from './dead-letter-alert-queries';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterService } from './dead-letter.service';

@Module({
  providers: [DeadLetterService, DeadLetterGroups, DeadLetterAlertQueries],
  exports: [DeadLetterService, DeadLetterGroups, DeadLetterAlertQueries],
})
export class DeadLettersModule {}
