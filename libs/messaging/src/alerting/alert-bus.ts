import { Injectable, Logger } from '@nestjs/common';
import { Subject, Subscription } from 'rxjs';
import type { AlertEvent } from './alert-event';

/**
 * The one interface through which the publishing and consuming sides raise alerts; alerters subscribe.
 * In-process and synchronous to call: raising never waits for an email.
 */
@Injectable()
export class AlertBus {
  private readonly logger = new Logger(AlertBus.name);
  private readonly events = new Subject<AlertEvent>();

  raise(event: AlertEvent): void {
    this.logger.warn({ msg: 'alert', ...event });
    this.events.next(event);
  }

  subscribe(listener: (event: AlertEvent) => void): Subscription {
    return this.events.subscribe(listener);
  }
}
