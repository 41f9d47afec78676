import { Injectable } from '@nestjs/common';
import type { SchemaClass } from '../consuming/reliable-subscription.options';
import { ReliableSubscriptionScan } from './reliable-subscription-scan';

/**
 * The payload schema each reliable subscription of this app declares, by consumer name, found the way
 * the consumers themselves are found (handler metadata), so an edited payload is checked against what
 * the consumer will check it against.
 */
@Injectable()
export class SubscriptionSchemas {
  private schemas: Map<string, SchemaClass> | null = null;

  constructor(private readonly subscriptions: ReliableSubscriptionScan) {}

  of(consumer: string | null): SchemaClass | undefined {
    if (!consumer) return undefined;
    this.schemas ??= this.discover();
    return this.schemas.get(consumer);
  }

  private discover(): Map<string, SchemaClass> {
    const found = new Map<string, SchemaClass>();
    for (const options of this.subscriptions.find(false)) {
      if (options.schema) found.set(options.consumer, options.schema);
    }
    return found;
  }
}
