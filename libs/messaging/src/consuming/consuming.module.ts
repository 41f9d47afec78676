import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { TopologyModule } from '../topology/topology.module';
import { DedupeInterceptor } from './dedupe.interceptor';
import { ReliableSubscriptionExplorer } from './reliable-subscription.explorer';

/** Reliable subscriptions: discovered at start-up, consumed with dedupe, retries, inbox and dead letters. */
@Module({
  imports: [DiscoveryModule, DeadLettersModule, TopologyModule],
  providers: [ReliableSubscriptionExplorer, DedupeInterceptor],
  exports: [ReliableSubscriptionExplorer, DedupeInterceptor, TopologyModule],
})
export class ConsumingModule {}
