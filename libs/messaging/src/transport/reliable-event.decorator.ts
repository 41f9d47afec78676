import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants';
import { RELIABLE_EVENT_EXTRAS, ReliableEventOptions } from './reliable-event.options';

/**
 * Per-handler settings beside `@EventPattern(...)`, in either order. It only adds them to the pattern's
 * extras, which is how Nest hands per-handler data to a transport.
 */
export const ReliableEvent =
  (options: ReliableEventOptions): MethodDecorator =>
  (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const extras = (Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method) as object | undefined) ?? {};
    Reflect.defineMetadata(PATTERN_EXTRAS_METADATA, { ...extras, [RELIABLE_EVENT_EXTRAS]: options }, method);
    return descriptor;
  };
