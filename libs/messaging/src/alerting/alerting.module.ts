import { Module } from '@nestjs/common';
import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { AlertWindowStore } from './alert-window-store';
import { DurableDigests } from './durable-digests';
import { EmailAlerter } from './email-alerter';

@Module({
  imports: [DeadLettersModule],
  providers: [EmailAlerter, DurableDigests, AlertWindowStore],
  exports: [EmailAlerter],
})
export class AlertingModule {}
