import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { MessagingFeatures } from '../messaging.options';
import { BrokerConnectionMonitor } from './broker-connection.monitor';
import { HealthController } from './health.controller';
import { MessagingHealthIndicators } from './messaging-health.indicators';
import { MessagingMetrics } from './messaging-metrics';
import { MetricsController } from './metrics.controller';
import { OutboxBacklog } from './outbox-backlog';
import { RabbitHandlerContext } from './rabbit-handler-context';
import { TraceContextMiddleware } from './trace-context.middleware';

/** `/health/live` and `/health/ready` (`features.health`). */
@Module({ imports: [TerminusModule], controllers: [HealthController] })
class HealthRoutesModule {}

/** `/metrics` (`features.metrics`). */
@Module({ controllers: [MetricsController] })
class MetricsRoutesModule {}

/** Trace/log context of every HTTP request and Rabbit handler (`features.requestContext`). */
@Module({ imports: [DiscoveryModule], providers: [RabbitHandlerContext] })
class RequestContextModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TraceContextMiddleware).forRoutes('*');
  }
}

/**
 * Metrics, broker monitor, outbox backlog and health indicators for every app; the routes and global
 * enhancers only for the features the app keeps on.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [MessagingMetrics, OutboxBacklog, BrokerConnectionMonitor, MessagingHealthIndicators],
  exports: [MessagingMetrics, OutboxBacklog, BrokerConnectionMonitor, MessagingHealthIndicators],
})
export class ObservabilityModule {
  static forFeatures(features: MessagingFeatures): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        ...(features.health ? [HealthRoutesModule] : []),
        ...(features.metrics ? [MetricsRoutesModule] : []),
        ...(features.requestContext ? [RequestContextModule] : []),
      ],
    };
  }
}
