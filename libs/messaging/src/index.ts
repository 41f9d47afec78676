export { MessagingModule } from './messaging.module';
export {
  MESSAGING_OPTIONS,
  MESSAGING_REDIS,
  InjectMessagingOptions,
  InjectMessagingRedis,
} from './messaging.constants';
export {
  MessagingModuleOptions,
  ResolvedMessagingOptions,
  resolveMessagingOptions,
  InvalidMessagingOptionsError,
} from './messaging.options';
export { OutboxOptions, OUTBOX_DEFAULTS } from './outbox/outbox.options';
export { ConsumingOptions, CONSUMING_DEFAULTS } from './consuming/consuming.options';
export { AlertingOptions, ALERTING_DEFAULTS } from './alerting/alerting.options';
export { AdminOptions, ADMIN_DEFAULTS, DEFAULT_ADMIN_TOKEN } from './admin/admin.options';
export { TopologyOptions, TOPOLOGY_DEFAULTS } from './topology/topology.options';
export { topologyNames, TopologyNames } from './topology/topology-names';
export {
  MessagingEnv,
  EnvDefaults,
  messagingEnvSchema,
  validateMessagingEnv,
  messagingOptionsFromEnv,
  readMessagingEnv,
  InvalidEnvironmentError,
} from './config/messaging-env';
export { dataSourceOptions, MESSAGING_ENTITIES } from './config/data-source-options';
export { OutboxMessage } from './outbox/outbox-message.entity';
export { DeadLetter, DeadLetterOrigin, DeadLetterStatus } from './dead-letters/dead-letter.entity';
export { InboxMessage } from './consuming/inbox-message.entity';
export { MESSAGING_MIGRATIONS } from './migrations';
export { AlertBus } from './alerting/alert-bus';
export { AlertEvent, AlertKind, alertClassOf } from './alerting/alert-event';
export { runMigrations } from './migrations/run-migrations';
export { bootstrapOrExit } from './config/bootstrap-or-exit';
export { DeadLetterService, ParkRequest } from './dead-letters/dead-letter.service';
export { MessagingMetrics, ConsumeResult } from './observability/messaging-metrics';
export { OutboxService } from './outbox/outbox.service';
export { NewOutboxMessage, OutboxHeaders } from './outbox/new-outbox-message';
export { PayloadTooLargeError, PayloadNotSerializableError } from './outbox/payload-too-large.error';
export { outboxPartitionOf } from './outbox/outbox-partition';
export { ScheduleOptions, InvalidScheduleError } from './outbox/outbox-scheduler';
export { ScheduledMessages, ScheduledMessage, ScheduledCursor } from './outbox/scheduled-messages';
export { ObservabilityOptions, OBSERVABILITY_DEFAULTS } from './observability/observability.options';
export {
  TraceHeaders,
  TraceIds,
  enableTraceContext,
  traceContextFrom,
  runInTrace,
  currentTraceHeaders,
  currentTraceIds,
} from './observability/trace-context';
export { MessageLogFields, withLogFields, currentLogFields } from './observability/log-fields';
export { messageLogFieldsOf, runInMessageContext } from './observability/message-context';
export { OutboxBacklog, OutboxBacklogSnapshot } from './observability/outbox-backlog';
export { BrokerConnectionMonitor } from './observability/broker-connection.monitor';
export { messagingLoggerParams, LoggerSettings } from './observability/logger-params';
export { hardenHttpApp, HttpHardeningOptions, DEFAULT_HTTP_BODY_LIMIT } from './observability/http-hardening';
export { ReliableSubscribe } from './consuming/reliable-subscribe.decorator';
export {
  ReliableSubscriptionOptions,
  DeliveryContext,
  InboxBatchOptions,
  RetryMode,
  RetryOptions,
  SchemaClass,
} from './consuming/reliable-subscription.options';
export { DedupeInterceptor } from './consuming/dedupe.interceptor';
export { ReliableSubscriptionExplorer } from './consuming/reliable-subscription.explorer';
export { RetryPolicy, RetryVerdict, resolveRetryPolicy, retryVerdict } from './consuming/retry-policy';
export {
  UnprocessableMessageError,
  MalformedJsonError,
  OversizedMessageError,
  MissingMessageIdError,
  SchemaValidationError,
  AttemptsExhaustedError,
  RedisUnavailableError,
  DuplicateInFlightError,
  HandlerFailedError,
} from './consuming/consume-errors';
export { TopologyService } from './topology/topology.service';
export { TopologyDeclarationError } from './topology/topology-declaration.error';
export { ORDERING_KEY_HEADER } from './topology/topology-names';
export { TopologyPlan, applyTopologyPlan } from './topology/topology-plan';
export {
  eventsExchangePlan,
  orderedStreamPlan,
  workQueuePlan,
  partitionedQueuesPlan,
} from './topology/topology-plans';
export { OutboxRelay } from './publishing/outbox-relay.service';
export { ConfirmedPublisher, OutgoingMessage } from './publishing/confirmed-publisher';
export {
  PublishFailure,
  PublishFailureReason,
  UnroutableError,
  PublishNackedError,
  ExchangeNotFoundError,
  ConfirmTimeoutError,
  ChannelError,
  BrokerUnavailableError,
} from './publishing/publish-failure';
export { CORRELATION_ID_HEADER } from './outbox/new-outbox-message';
export { publishBackoffMs, BackoffPolicy } from './publishing/publish-backoff';
export { RELAY_JOBS } from './publishing/relay-jobs';
export { EmailAlerter } from './alerting/email-alerter';
export { AlertDigest, AlertDigestSummary, DIGEST_MAX_MESSAGE_IDS } from './alerting/alert-digest';
export { AlertEmail } from './alerting/alert-email';
export { escapeHtml } from './alerting/html-escape';
export { AdminModule } from './admin/admin.module';
export { setupAdminOpenApi, ADMIN_OPENAPI_PATH } from './admin/admin-openapi';
export { DeadLetterAdminService, DeadLetterPage, DeadLetterCounts } from './admin/dead-letter-admin.service';
export {
  DeadLetterReplayer,
  BulkReplayResult,
  REPLAY_OF_HEADER,
  DEAD_LETTER_ID_HEADER,
} from './admin/dead-letter-replayer';
export { DeadLetterNotFoundError } from './admin/dead-letter-not-found.error';
export { DeadLetterNotOpenError } from './admin/dead-letter-not-open.error';
export { PayloadNotReplayableError } from './admin/payload-not-replayable.error';
export { DefaultAdminTokenError, refuseDefaultAdminToken } from './admin/default-admin-token.error';
/** Failure groups of the dead-letter console: counters per fingerprint (ADR 0302). */
export { DeadLetterGroups, DeadLetterGroup } from './dead-letters/dead-letter-groups';
/** Replay all / discard all of a failure group in background batches, with progress. */
export { GroupActions, GroupAction, GroupActionKind } from './admin/group-actions';
/** The admin audit (`admin_audit`): every admin action with who, what and which ids. */
export { AdminAudit, AdminAuditEntry, AdminAuditAction } from './admin/admin-audit';
/** Operator and viewer roles of the admin tokens. */
export { AdminRole, AdminIdentity } from './admin/admin-roles';
export { createMessagingRedis } from './messaging-redis.provider';
export {
  MessagingServiceDefinition,
  messagingServiceImports,
  runMessagingService,
} from './config/messaging-service';
/** Nest microservice transport running `@EventPattern` handlers on the reliable pipeline (ADR 0206). */
export { ReliableServer, ReliableTransportDeps, RELIABLE_TRANSPORT } from './transport/reliable.server';
/** Builds a `ReliableServer` from an app, or attaches one to a hybrid app with its exception filter. */
export { reliableTransport, connectReliableTransport } from './transport/reliable-transport';
/** Per-handler settings of the transport, beside `@EventPattern` or in its extras under `reliable`. */
export { ReliableEvent } from './transport/reliable-event.decorator';
/** Options of the transport server and of one handler. */
export {
  ReliableEventOptions,
  ReliableServerOptions,
  RELIABLE_EVENT_EXTRAS,
} from './transport/reliable-event.options';
/** `@Ctx()` of a reliable handler: Nest's RmqContext plus message id, attempt and the inbox transaction. */
export { ReliableRmqContext } from './transport/reliable-rmq.context';
/** Global filter that hands the transport its handlers' errors unchanged (installed by connectReliableTransport). */
export { ReliableExceptionFilter } from './transport/reliable-exception.filter';
/** ClientProxy whose emit() writes to the outbox inside `outbox.transaction(...)`. */
export { OutboxClientProxy, OutboxClientOptions } from './transport/outbox-client.proxy';
/** Ordering key, headers and message id of one emitted event. */
export { OutboxRecord, OutboxRecordBuilder, OutboxRecordOptions } from './transport/outbox-record.builder';
/** Errors of the transport and the outbox client; `reason` is what lands in `dead_letter.reason`. */
export {
  NoHandlerError,
  PayloadRejectedError,
  MessagePatternNotSupportedError,
  InboxNotEnabledError,
  OutboxTransactionRequiredError,
  OutboxSendNotSupportedError,
} from './transport/transport-errors';
/** An event addressed by stream and type for `OutboxService.add` (no exchange names in apps). */
export { OutboxEvent } from './outbox/outbox-event';
