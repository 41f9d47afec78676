import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { methodsWithMetadata } from '../discovered-methods';
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
  const wrappers = nest.discovery
    .getProviders()
    .filter((wrapper) => !staticOnly || wrapper.isDependencyTreeStatic());
  return methodsWithMetadata(wrappers, nest.scanner, RELIABLE_SUBSCRIPTION).map(
    ({ wrapper, methodName, method }) => ({
      wrapper,
      methodName,
      subscription: nest.reflector.get<ReliableSubscriptionOptions>(RELIABLE_SUBSCRIPTION, method),
    }),
  );
}
