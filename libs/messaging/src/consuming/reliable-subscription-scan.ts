import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { RELIABLE_SUBSCRIPTION } from './reliable-subscribe.decorator';
import type { ReliableSubscriptionOptions } from './reliable-subscription.options';

/** One `@ReliableSubscribe` method: the provider that holds it, its name and its options. */
export interface FoundSubscription {
  wrapper: InstanceWrapper;
  methodName: string;
  subscription: ReliableSubscriptionOptions;
}

/**
 * The `@ReliableSubscribe` methods of this app's providers, read from the handler metadata (the way
 * golevelup finds `@RabbitSubscribe`). One scan for the consumers and for the parts of dead-letters/
 * that act per subscription, so both see the same subscriptions.
 */
export function findReliableSubscriptions(
  nest: { discovery: DiscoveryService; scanner: MetadataScanner; reflector: Reflector },
  /** Leave out request-scoped providers, which the consumers never start. */
  staticOnly: boolean,
): FoundSubscription[] {
  const found: FoundSubscription[] = [];
  for (const wrapper of nest.discovery.getProviders()) {
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object') continue;
    if (staticOnly && !wrapper.isDependencyTreeStatic()) continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const methodName of nest.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[methodName];
      if (typeof method !== 'function') continue;
      const subscription = nest.reflector.get<ReliableSubscriptionOptions | undefined>(
        RELIABLE_SUBSCRIPTION,
        method,
      );
      if (subscription) found.push({ wrapper, methodName, subscription });
    }
  }
  return found;
}
