import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectOptions } from '../messaging.constants';
import type { MonitoringOptions } from './monitoring.options';

/**
 * Remembers since when the broker connection (the one the relay publishes on) has been down, by
 * sampling it; readiness fails only after a threshold, so a reconnect blip does not flap it.
 */
@Injectable()
export class BrokerConnectionMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  // Not yet connected at start counts as down from start.
  private downSince: number | null = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly amqp: AmqpConnection,
    @InjectOptions('monitoring') private readonly options: MonitoringOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.options.brokerSampleIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** 0 while connected. */
  unreachableForMs(): number {
    this.sample();
    return this.downSince === null ? 0 : Date.now() - this.downSince;
  }

  private sample(): void {
    if (this.isConnected()) this.downSince = null;
    else this.downSince ??= Date.now();
  }

  private isConnected(): boolean {
    try {
      return this.amqp.connected;
    } catch {
      // The managed connection does not exist before golevelup's init: not connected.
      return false;
    }
  }
}
