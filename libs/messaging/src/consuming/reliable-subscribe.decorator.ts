import { SetMetadata } from '@nestjs/common';
import type { ReliableSubscriptionOptions } from './reliable-subscription.options';

export const RELIABLE_SUBSCRIPTION = Symbol('RELIABLE_SUBSCRIPTION');

/**
 * Marks a provider method as a reliable handler `(payload, context: DeliveryContext)`. At start-up the
 * library declares its queues and consumes them with manual ack, the dedupe interceptor, the retry
 * policy, the optional inbox and dead letters. No registration list: discovery finds it, in any module.
 */
export const ReliableSubscribe = (options: ReliableSubscriptionOptions): MethodDecorator =>
  SetMetadata(RELIABLE_SUBSCRIPTION, options);
