import { Inject } from '@nestjs/common';
import type { OptionGroupName } from './messaging.options';

/** The resolved options (defaults merged, validated); features inject their own group instead. */
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
/** The library's ioredis client. */
export const MESSAGING_REDIS = Symbol('MESSAGING_REDIS');
/** Which HTTP-mounting parts this app switched on (`MessagingFeatures`). */
export const MESSAGING_FEATURES = Symbol('MESSAGING_FEATURES');

/** `service`: the service name and Redis key prefix every feature may need; the rest are option groups. */
export type OptionSlice = OptionGroupName | 'service';

export const optionSliceToken = (slice: OptionSlice): string => `MESSAGING_OPTIONS:${slice}`;

export const InjectMessagingOptions = (): ParameterDecorator => Inject(MESSAGING_OPTIONS);
/** Injects one option group (e.g. `@InjectOptions('relay') relay: RelayOptions`). */
export const InjectOptions = (slice: OptionSlice): ParameterDecorator => Inject(optionSliceToken(slice));
export const InjectMessagingRedis = (): ParameterDecorator => Inject(MESSAGING_REDIS);
