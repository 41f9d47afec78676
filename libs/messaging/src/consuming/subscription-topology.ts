import type { ResolvedMessagingOptions } from '../messaging.options';
import type { TopologyNames } from '../topology/topology-names';
import type { TopologyPlan } from '../topology/topology-plan';
import { partitionedQueuesPlan, workQueuePlan } from '../topology/topology-plans';
import type { ReliableSubscriptionOptions } from './reliable-subscription.options';

/**
 * The queues a subscription consumes and the plan that declares them: one work queue (with its retry
 * queues), or the partition queues of an ordered stream. Shared by `@ReliableSubscribe` and the Nest
 * transport, so both declare exactly the same broker objects for the same settings.
 */
export function subscriptionTopology(
  names: TopologyNames,
  options: Pick<ResolvedMessagingOptions, 'consuming' | 'topology'>,
  subscription: Pick<ReliableSubscriptionOptions, 'consumer' | 'exchange' | 'routingKey' | 'ordered'>,
  retryDelaysMs: number[],
): { queues: string[]; plan: TopologyPlan } {
  const routingKeys = ([] as string[]).concat(subscription.routingKey);
  const deliveryLimit = options.consuming.deliveryLimit;
  if (subscription.ordered) {
    const spec = {
      stream: subscription.ordered.stream,
      consumer: subscription.consumer,
      routingKeys,
      partitions: subscription.ordered.partitions ?? options.topology.partitions,
      deliveryLimit,
    };
    const queues = Array.from({ length: spec.partitions }, (_, i) =>
      names.partitionQueue(spec.stream, spec.consumer, i),
    );
    return { queues, plan: partitionedQueuesPlan(names, spec) };
  }
  return {
    queues: [names.queue(subscription.consumer)],
    plan: workQueuePlan(names, {
      consumer: subscription.consumer,
      exchange: subscription.exchange ?? names.eventsExchange,
      routingKeys,
      deliveryLimit,
      retryDelaysMs,
    }),
  };
}
