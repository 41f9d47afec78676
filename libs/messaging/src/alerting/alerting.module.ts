import { Module } from '@nestjs/common';
import { EmailAlerter } from './email-alerter';

@Module({
  providers: [EmailAlerter],
  exports: [EmailAlerter],
})
export class AlertingModule {}
