import { Global, Module } from '@nestjs/common';
import { MessagingMetrics } from './messaging-metrics';

@Global()
@Module({
  providers: [MessagingMetrics],
  exports: [MessagingMetrics],
})
export class ObservabilityModule {}
