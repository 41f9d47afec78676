import { Injectable } from '@nestjs/common';
import { Subject, Subscription } from 'rxjs';

/** In-process signal "committed outbox rows are waiting": the relay drains at once instead of at the next poll. */
@Injectable()
export class OutboxWake {
  private readonly signals = new Subject<void>();

  notify(): void {
    this.signals.next();
  }

  subscribe(listener: () => void): Subscription {
    return this.signals.subscribe(listener);
  }
}
