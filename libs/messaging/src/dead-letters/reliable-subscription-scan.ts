import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { RELIABLE_SUBSCRIPTION } from '../consuming/reliable-subscribe.decorator';
import type { ReliableSubscriptionOptions } from '../consuming/reliable-subscription.options';

/**
 * The `@ReliableSubscribe` options declared on this app's providers, read from the handler metadata the
 * way the consumers themselves are found, for the parts of dead-letters/ that act per subscription.
 */
@Injectable()
export class ReliableSubscriptionScan {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** `staticOnly`: leave out request-scoped providers, which the consumers never start. */
  find(staticOnly: boolean): ReliableSubscriptionOptions[] {
    const found: ReliableSubscriptionOptions[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      if (staticOnly && !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') continue;
        const subscription = this.reflector.get<ReliableSubscriptionOptions | undefined>(
          RELIABLE_SUBSCRIPTION,
          method,
        );
        if (subscription) found.push(subscription);
      }
    }
    return found;
  }
}
