import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { RELIABLE_SUBSCRIPTION } from '../consuming/reliable-subscribe.decorator';
import type { ReliableSubscriptionOptions, SchemaClass } from '../consuming/reliable-subscription.options';

/**
 * The payload schema each reliable subscription of this app declares, by consumer name, found the way
 * the consumers themselves are found (handler metadata), so an edited payload is checked against what
 * the consumer will check it against.
 */
@Injectable()
export class SubscriptionSchemas {
  private schemas: Map<string, SchemaClass> | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  of(consumer: string | null): SchemaClass | undefined {
    if (!consumer) return undefined;
    this.schemas ??= this.discover();
    return this.schemas.get(consumer);
  }

  private discover(): Map<string, SchemaClass> {
    const found = new Map<string, SchemaClass>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const options = this.reflector.get<ReliableSubscriptionOptions | undefined>(
          RELIABLE_SUBSCRIPTION,
          method,
        );
        if (options?.schema) found.set(options.consumer, options.schema);
      }
    }
    return found;
  }
}
