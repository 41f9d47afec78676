import { Controller, Get, Header, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { InjectOptions } from '../messaging.constants';
import type { MonitoringOptions } from './monitoring.options';
import { MessagingMetrics } from './messaging-metrics';
import { OutboxBacklog } from './outbox-backlog';

let nodeRegistry: Registry | undefined;

// One per process: default metrics describe the process, however many app instances it hosts.
function nodeMetricsRegistry(): Registry {
  if (!nodeRegistry) {
    nodeRegistry = new Registry();
    collectDefaultMetrics({ register: nodeRegistry });
  }
  return nodeRegistry;
}

/** Prometheus scrape endpoint: the library's metrics (outbox gauges measured now) plus Node's. */
@Controller('metrics')
export class MetricsController {
  private readonly logger = new Logger(MetricsController.name);
  private readonly registry: Registry;

  constructor(
    private readonly metrics: MessagingMetrics,
    private readonly backlog: OutboxBacklog,
    @InjectOptions('monitoring') options: MonitoringOptions,
  ) {
    this.registry = options.defaultNodeMetrics
      ? Registry.merge([metrics.registry, nodeMetricsRegistry()])
      : metrics.registry;
  }

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    // A failed measure must not hide the other metrics; the gauges keep their last value.
    await this.backlog
      .measure()
      .catch((error: Error) =>
        this.logger.warn({ msg: 'outbox backlog not measured', error: error.message }),
      );
    return this.registry.metrics();
  }
}
