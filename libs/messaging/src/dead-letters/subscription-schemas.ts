import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { findReliableSubscriptions } from '../consuming/reliable-subscription-scan';
import type { SchemaClass } from '../consuming/reliable-subscription.options';

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
    const nest = { discovery: this.discovery, scanner: this.scanner, reflector: this.reflector };
    for (const { subscription } of findReliableSubscriptions(nest, false)) {
      if (subscription.schema) found.set(subscription.consumer, subscription.schema);
    }
    return found;
  }
}
