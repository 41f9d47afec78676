/**
 * `@app/messaging/testing`: the public API plus the internals that the library's own tests, the
 * benchmarks and the chaos harness drive directly (options tokens, the subscription explorer, topology
 * plans, defaults). Apps never import it: nothing here is stable (see `docs/architecture.md`).
 */
export * from './index';
export { MESSAGING_OPTIONS, MESSAGING_REDIS } from './messaging.constants';
export { ResolvedMessagingOptions } from './messaging.options';
export { resolveMessagingOptions } from './resolve-messaging-options';
export { RELAY_DEFAULTS, RELAY_PARTITION_DEFAULTS } from './outbox/outbox.options';
export { CONSUMING_DEFAULTS } from './consuming/consuming.options';
export { DEFAULT_ADMIN_TOKEN } from './admin/admin.options';
export { createMessagingRedis } from './messaging-redis.provider';
export { ReliableSubscriptionExplorer } from './consuming/reliable-subscription.explorer';
export { DedupeInterceptor } from './consuming/dedupe.interceptor';
export { applyTopologyPlan } from './topology/topology-plan';
export { partitionedQueuesPlan, workQueuePlan } from './topology/topology-plans';
export { outboxPartitionOf } from './outbox/outbox-partition';
export { OutboxLeaseInPlace1765000000000 } from './migrations/1765000000000-outbox-lease-in-place';
export { ScheduledMessages } from './outbox/scheduled-messages';
export { DeadLetterService, ParkRequest } from './dead-letters/dead-letter.service';
export { AlertBus } from './alerting/alert-bus';
export { AlertEvent } from './alerting/alert-event';
export { MessagingMetrics } from './observability/messaging-metrics';
export { RELIABLE_TRANSPORT } from './transport/reliable.server';
export { ConfirmedPublisher } from './publishing/confirmed-publisher';
export { publishWithConfirm } from './publishing/confirm-channel-publish';
export { outgoingMessageOf } from './publishing/outgoing-message';
export { OutboxClaims } from './outbox/outbox-claims';
export { CommittedRowsHandoff } from './outbox/committed-rows-handoff';
export { OutboxRelay } from './publishing/outbox-relay.service';
export { REBUILD_GROUPS_SQL } from './dead-letters/dead-letter-groups';
export { failureFingerprint } from './dead-letters/failure-fingerprint';
export { DUPLICATE_DELIVERY, ReliableDeliveryContext } from './consuming/delivery-context';
export { InboxBatcher } from './consuming/inbox-batcher';
