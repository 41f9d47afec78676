import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectOptions } from '../messaging.constants';
import type { MonitoringOptions } from './monitoring.options';
import { MessagingHealthIndicators } from './messaging-health.indicators';

/**
 * `live`: the process answers (restart it if not). `ready`: MySQL, the broker connection, Redis and
 * the outbox backlog are fine (route traffic to it if so); 503 with the failing parts otherwise.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mysql: TypeOrmHealthIndicator,
    private readonly messaging: MessagingHealthIndicators,
    @InjectOptions('monitoring') private readonly options: MonitoringOptions,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.mysql.pingCheck('mysql', { timeout: this.options.probeTimeoutMs }),
      () => this.messaging.rabbitmq(),
      () => this.messaging.redisPing(),
      () => this.messaging.outbox(),
    ]);
  }
}
