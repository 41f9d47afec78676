import { Module } from '@nestjs/common';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterService } from './dead-letter.service';

@Module({
  providers: [DeadLetterService, DeadLetterGroups],
  exports: [DeadLetterService, DeadLetterGroups],
})
export class DeadLettersModule {}
