import { Inject } from '@nestjs/common';

/** The resolved options (defaults merged, validated). */
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
/** The library's ioredis client. */
export const MESSAGING_REDIS = Symbol('MESSAGING_REDIS');

export const InjectMessagingOptions = (): ParameterDecorator => Inject(MESSAGING_OPTIONS);
export const InjectMessagingRedis = (): ParameterDecorator => Inject(MESSAGING_REDIS);
