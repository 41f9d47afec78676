import type { MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';

/** A method of a discovered provider or controller, read from its instance's prototype. */
export interface DiscoveredMethod {
  wrapper: InstanceWrapper;
  methodName: string;
  method: (...args: unknown[]) => unknown;
}

/**
 * The methods of `wrappers`' instances that carry `metadataKey`, the way golevelup finds
 * `@RabbitSubscribe`. Wrappers without an instance (not yet created, or request-scoped) are skipped.
 */
export function methodsWithMetadata(
  wrappers: readonly InstanceWrapper[],
  scanner: MetadataScanner,
  metadataKey: string | symbol,
): DiscoveredMethod[] {
  const found: DiscoveredMethod[] = [];
  for (const wrapper of wrappers) {
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const methodName of scanner.getAllMethodNames(prototype)) {
      const method = prototype[methodName];
      if (typeof method !== 'function' || Reflect.getMetadata(metadataKey, method) === undefined) continue;
      found.push({ wrapper, methodName, method: method as DiscoveredMethod['method'] });
    }
  }
  return found;
}
