import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { BrokerConnectionMonitor } from './broker-connection.monitor';
import { HealthController } from './health.controller';
import { MessageContextInterceptor } from './message-context.interceptor';
import { MessagingHealthIndicators } from './messaging-health.indicators';
import { MessagingMetrics } from './messaging-metrics';
import { MetricsController } from './metrics.controller';
import { OutboxBacklog } from './outbox-backlog';
import { TraceContextMiddleware } from './trace-context.middleware';

/** `/health/live`, `/health/ready`, `/metrics`, and the trace/log context of requests and deliveries. */
@Global()
@Module({
  imports: [TerminusModule],
  controllers: [HealthController, MetricsController],
  providers: [
    MessagingMetrics,
    OutboxBacklog,
    BrokerConnectionMonitor,
    MessagingHealthIndicators,
    { provide: APP_INTERCEPTOR, useClass: MessageContextInterceptor },
  ],
  exports: [MessagingMetrics, OutboxBacklog, BrokerConnectionMonitor, MessagingHealthIndicators],
})
export class ObservabilityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TraceContextMiddleware).forRoutes('*');
  }
}
